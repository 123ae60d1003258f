"""Template tags of the prefecture dashboard."""

from django import template

from roadmap.dashboard import can_use_dashboard

register = template.Library()

# basins.selectors.user_territories labels a reviewer's territories this way.
PREFECTURE_PREFIX = "Préfecture — "


@register.simple_tag(takes_context=True)
def dashboard_allowed(context) -> bool:
    """Whether to show the dashboard link: admins and prefecture reviewers.

    Reads the header's ``user_territories`` (a lazy list the header evaluates
    anyway), so the link costs no query of its own; the views check access
    with a query of their own.
    """
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    territories = context.get("user_territories")
    if territories is None:
        return can_use_dashboard(user=user)
    return any(str(label).startswith(PREFECTURE_PREFIX) for label in territories)
