from django.utils.functional import SimpleLazyObject

from basins.selectors import user_territories


def territories(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"user_territories": []}
    # Lazy: a page that never shows the header runs no query for it.
    return {"user_territories": SimpleLazyObject(lambda: user_territories(user=user))}
