"""What a user may do on each basin, read from their memberships once per
request (basins.middleware.RolesMiddleware sets ``request.roles``).

The same rules as the QuerySets of basins.models (visible_to, editable_by,
led_by, reviewable_by), which filter lists on the same membership rows: a
committee role (member, lead) on one basin; a prefecture reviewer on every
basin touching their department or region; an admin everywhere.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, Value

from basins.enums import Role
from basins.models import Basin, Membership


@dataclass(frozen=True)
class BasinRoles:
    """The user's roles on one basin."""

    can_see: bool
    # A committee member or lead: edits the roadmap's content.
    can_edit: bool
    # The committee's lead: submits stages to the prefecture.
    can_submit: bool
    # A prefecture reviewer of the basin, or an admin: validates or returns.
    can_review: bool

    @property
    def can_comment(self):
        return self.can_edit or self.can_review


NO_ROLE = BasinRoles(can_see=False, can_edit=False, can_submit=False, can_review=False)


class Roles:
    """A user's memberships, read in one query the first time they are needed
    (an admin's dashboard and header need none)."""

    def __init__(self, user):
        self.user = user
        self.active = bool(user.is_authenticated and user.is_active)
        self.is_admin = self.active and user.is_superuser

    @cached_property
    def memberships(self) -> list[Membership]:
        if not self.active:
            return []
        return list(
            Membership.objects.filter(user=self.user)
            .select_related("basin", "department", "region")
            .order_by("pk")
        )

    @cached_property
    def _committee(self) -> dict[int, set[str]]:
        committee = set(Role.committee_roles())
        roles: dict[int, set[str]] = {}
        for membership in self.memberships:
            if membership.role in committee:
                roles.setdefault(membership.basin_id, set()).add(membership.role)
        return roles

    @cached_property
    def _reviewed(self) -> list[Membership]:
        return [m for m in self.memberships if m.role == Role.REVIEWER]

    @property
    def is_reviewer(self) -> bool:
        return bool(self._reviewed)

    @property
    def can_use_dashboard(self) -> bool:
        """Admins and prefecture reviewers; committee members are refused."""
        return self.is_admin or self.is_reviewer

    @property
    def dashboard_scope(self) -> str | None:
        """A key of the territory the user's dashboard covers ("all" for an
        admin, the reviewer's departments and regions), None without one."""
        if self.is_admin:
            return "all"
        territories = sorted(
            f"{m.department_id or ''}/{m.region_id or ''}" for m in self._reviewed
        )
        return ",".join(territories) or None

    def reviews(self, basin_ref: str = "pk"):
        """An expression: is the basin at ``basin_ref`` in the reviewer's
        departments or regions (False, without SQL, for a non-reviewer)."""
        departments = [m.department_id for m in self._reviewed if m.department_id]
        regions = [m.region_id for m in self._reviewed if m.region_id]
        if not departments and not regions:
            return Value(False)
        return Exists(
            Basin.departments.through.objects.filter(
                basin_id=OuterRef(basin_ref), department_id__in=departments
            )
        ) | Exists(
            Basin.regions.through.objects.filter(
                basin_id=OuterRef(basin_ref), region_id__in=regions
            )
        )

    def on(self, basin_id: int, *, reviews: bool) -> BasinRoles:
        """The roles on one basin; ``reviews`` is what :meth:`reviews` gave
        for it (annotated on the query that read the basin)."""
        if not self.active:
            return NO_ROLE
        committee = self._committee.get(basin_id, set())
        can_review = self.is_admin or bool(reviews)
        return BasinRoles(
            can_see=bool(committee) or can_review,
            can_edit=bool(committee),
            can_submit=Role.LEAD in committee,
            can_review=can_review,
        )

    def on_basin(self, basin: Basin) -> BasinRoles:
        """The roles on ``basin`` when no query read it with :meth:`reviews`
        (one query for a reviewer, none otherwise)."""
        reviews = False
        if self.is_reviewer and not self.is_admin:
            reviews = (
                Basin.objects.filter(pk=basin.pk)
                .annotate(reviewed=self.reviews())
                .values_list("reviewed", flat=True)
                .get()
            )
        return self.on(basin.pk, reviews=reviews)

    @property
    def territory_labels(self) -> list[str]:
        """Short labels of the territories the user works on, for the header."""
        if not self.active:
            return []
        if self.is_admin:
            return ["Administration nationale"]
        labels = []
        for membership in self.memberships:
            if membership.role == Role.REVIEWER:
                labels.append(f"Préfecture — {membership.territory}")
            else:
                labels.append(f"{membership.get_role_display()} — {membership.basin}")
        return labels
