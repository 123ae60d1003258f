"""Settings of the prefecture dashboard: the alert thresholds of a region."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from basins.models import Region

DEFAULT_CROWDING_OUT_THRESHOLD_PCT = Decimal("30")


class AlertThresholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Thresholds of the regions a reviewer covers; all for an admin."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(region__memberships__user=user)
            | Q(region__departments__memberships__user=user)
        ).distinct()


class AlertThreshold(models.Model):
    """Alert thresholds of one region (a region without a row uses defaults)."""

    region = models.OneToOneField(
        Region,
        on_delete=models.CASCADE,
        related_name="alert_threshold",
        verbose_name="région",
    )
    crowding_out_threshold_pct = models.DecimalField(
        "seuil d'effet d'éviction (%)",
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_CROWDING_OUT_THRESHOLD_PCT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=(
            "Part des financements obtenus allant à des entreprises hors du "
            "bassin ou à des non-PME au-delà de laquelle une alerte est levée."
        ),
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = AlertThresholdQuerySet.as_manager()

    class Meta:
        verbose_name = "seuil d'alerte"
        verbose_name_plural = "seuils d'alerte"
        ordering = ["region__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    crowding_out_threshold_pct__gte=0,
                    crowding_out_threshold_pct__lte=100,
                ),
                name="alert_threshold_pct_0_100",
            )
        ]

    def __str__(self):
        return f"Seuils d'alerte — {self.region}"
