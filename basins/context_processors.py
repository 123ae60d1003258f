from django.utils.functional import SimpleLazyObject

from basins.links import nav_links


def territories(request):
    """The header's territories and the links the apps add to its menu.

    Lazy: a page that never shows the header runs no query for them.
    """
    roles = getattr(request, "roles", None)
    if roles is None:
        return {"user_territories": [], "nav_links": []}
    return {
        "user_territories": SimpleLazyObject(lambda: roles.territory_labels),
        "nav_links": SimpleLazyObject(lambda: nav_links(request)),
    }
