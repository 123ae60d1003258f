from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from basins.enums import Role

# --- QuerySets ------------------------------------------------------------


class BasinQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Basins the user may read: committee, reviewer's territory, or all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Exists(
                Membership.objects.filter(user=user).filter(
                    Q(basin=OuterRef("pk"))
                    | Q(department__basins=OuterRef("pk"))
                    | Q(region__basins=OuterRef("pk"))
                )
            )
        )

    def editable_by(self, user):
        """Basins whose committee the user sits on (member or lead)."""
        return self._with_committee_role(user, Role.committee_roles())

    def led_by(self, user):
        """Basins whose committee the user leads: they may submit stages."""
        return self._with_committee_role(user, [Role.LEAD])

    def reviewable_by(self, user):
        """Basins in a prefecture reviewer's department or region."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(
            Exists(
                Membership.objects.filter(user=user, role=Role.REVIEWER).filter(
                    Q(department__basins=OuterRef("pk"))
                    | Q(region__basins=OuterRef("pk"))
                )
            )
        )

    def _with_committee_role(self, user, roles):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        # One Exists() over one membership row: role and basin must match on
        # the same row, never on two different ones.
        return self.filter(
            Exists(
                Membership.objects.filter(
                    user=user, role__in=roles, basin=OuterRef("pk")
                )
            )
        )

    def with_stats(self):
        return self.annotate(
            communes_count=models.Count("communes", distinct=True),
            population=models.Sum("communes__population"),
        )


# --- Models ---------------------------------------------------------------


class Region(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Basin(models.Model):
    """A bassin d'emploi: an INSEE zone d'emploi 2020."""

    code = models.CharField(
        "code INSEE",
        max_length=4,
        unique=True,
        help_text="Code de la zone d'emploi 2020, sur 4 caractères (ex. 8401).",
    )
    name = models.CharField("nom", max_length=100)
    regions = models.ManyToManyField(Region, related_name="basins", blank=True)
    departments = models.ManyToManyField(Department, related_name="basins", blank=True)

    objects = BasinQuerySet.as_manager()

    class Meta:
        verbose_name = "bassin d'emploi"
        verbose_name_plural = "bassins d'emploi"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{4}$"), name="basin_code_4_digits"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("basins:detail", kwargs={"code": self.code})


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=150)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="communes"
    )
    basin = models.ForeignKey(Basin, on_delete=models.PROTECT, related_name="communes")
    population = models.PositiveIntegerField("population", null=True, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    """A user's role on a basin committee, or as a prefecture reviewer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    basin = models.ForeignKey(
        Basin,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "rattachement"
        constraints = [
            # Committee roles point at one basin; reviewers at exactly one
            # department or one region.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=Role.committee_roles(),
                        basin__isnull=False,
                        department__isnull=True,
                        region__isnull=True,
                    )
                    | Q(
                        role=Role.REVIEWER,
                        basin__isnull=True,
                        department__isnull=False,
                        region__isnull=True,
                    )
                    | Q(
                        role=Role.REVIEWER,
                        basin__isnull=True,
                        department__isnull=True,
                        region__isnull=False,
                    )
                ),
                name="membership_territory_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "basin"],
                condition=Q(basin__isnull=False),
                name="one_committee_role_per_basin",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.territory}"

    @property
    def territory(self):
        return self.basin or self.department or self.region
