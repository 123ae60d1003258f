"""Reads on territories."""

import unicodedata

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from basins.enums import Role
from basins.models import Basin, Membership


def basin_list(*, user: AbstractBaseUser, query: str = "") -> QuerySet[Basin]:
    """Basins the user may see, filtered by name or code, with their figures."""
    basins = Basin.objects.visible_to(user)
    query = query.strip()
    if query:
        # Accents and case are ignored in Python, the same way on SQLite and
        # PostgreSQL (no unaccent extension needed): there are 306 basins.
        wanted = fold(query)
        names = Basin.objects.values_list("pk", "name")
        matching = [pk for pk, name in names if wanted in fold(name)]
        basins = basins.filter(Q(pk__in=matching) | Q(code__startswith=query))
    return basins.with_stats().prefetch_related("departments").order_by("name")


def fold(text: str) -> str:
    """Lower case without accents: « Châteauroux » -> « chateauroux »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def user_territories(*, user: AbstractBaseUser) -> list[str]:
    """Short labels of the territories a user works on, for the header."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return ["Administration nationale"]
    labels = []
    memberships = Membership.objects.filter(user=user).select_related(
        "basin", "department", "region"
    )
    for membership in memberships:
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
