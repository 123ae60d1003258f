"""Reads on territories."""

import unicodedata

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

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


def basin_members(*, basin: Basin) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(basin=basin)
        .select_related("user")
        .order_by("role", "user__last_name", "user__username")
    )
