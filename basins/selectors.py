"""Reads on territories."""

import unicodedata

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from basins.enums import Role
from basins.models import Basin, Membership


def basin_list(*, user: AbstractBaseUser, query: str = "") -> QuerySet[Basin]:
    """Basins the user may see, filtered by name or code, in name order.

    Without their figures: counting and paginating them stays cheap. Call
    ``with_figures`` on the page shown.
    """
    basins = Basin.objects.visible_to(user)
    query = query.strip()
    if query:
        # Accents and case are ignored in Python, the same way on SQLite and
        # PostgreSQL (no unaccent extension needed): there are 306 basins.
        wanted = fold(query)
        names = Basin.objects.values_list("pk", "name")
        matching = [pk for pk, name in names if wanted in fold(name)]
        basins = basins.filter(Q(pk__in=matching) | Q(code__startswith=query))
    return basins.order_by("name", "code")


def with_figures(*, basins: QuerySet[Basin]) -> QuerySet[Basin]:
    """The given (sliced) basins with communes count, population, departments.

    Aggregating over the communes of one page only, not of every basin.
    """
    return (
        Basin.objects.filter(pk__in=basins.values("pk"))
        .with_stats()
        .prefetch_related("departments")
        .order_by("name", "code")
    )


def fold(text: str) -> str:
    """Lower case without accents: « Châteauroux » -> « chateauroux »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def user_memberships(*, user: AbstractBaseUser) -> list[Membership]:
    """The user's memberships with their basin, department and region.

    Read once per request: memoized on the user object, which the
    authentication middleware loads afresh for every request (as Django's
    ModelBackend memoizes permissions). The header and the roadmap pages'
    roles share this one query.
    """
    if not user.is_authenticated:
        return []
    try:
        return user._memberships_cache
    except AttributeError:
        user._memberships_cache = list(
            Membership.objects.filter(user=user)
            .select_related("basin", "department", "region")
            .order_by("pk")
        )
        return user._memberships_cache


def committee_roles_on(*, user: AbstractBaseUser, basin_id: int) -> set[str]:
    """The user's committee roles (member, lead) on one basin.

    The same rule as BasinQuerySet.editable_by() and led_by() (a membership
    row with that role on that basin), read from user_memberships() without a
    query of its own.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    committee = set(Role.committee_roles())
    return {
        membership.role
        for membership in user_memberships(user=user)
        if membership.basin_id == basin_id and membership.role in committee
    }


def sits_on_a_committee(*, user: AbstractBaseUser) -> bool:
    """Whether the user has a committee role on some basin (no query)."""
    return bool(user.is_authenticated and user.is_active) and any(
        m.role in Role.committee_roles() for m in user_memberships(user=user)
    )


def is_reviewer(*, user: AbstractBaseUser) -> bool:
    """Whether the user is a prefecture reviewer somewhere (no query)."""
    return any(m.role == Role.REVIEWER for m in user_memberships(user=user))


def user_territories(*, user: AbstractBaseUser) -> list[str]:
    """Short labels of the territories a user works on, for the header."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return ["Administration nationale"]
    labels = []
    for membership in user_memberships(user=user):
        if membership.role == Role.REVIEWER:
            labels.append(f"Préfecture — {membership.territory}")
        else:
            labels.append(f"{membership.get_role_display()} — {membership.basin}")
    return labels


def basin_members(*, basin: Basin) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(basin=basin)
        .select_related("user")
        .order_by("role", "user__last_name", "user__username")
    )
