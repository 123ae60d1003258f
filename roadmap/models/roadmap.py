"""A roadmap and its six stages, with their status changes and comments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Length
from django.urls import reverse

from basins.models import Basin
from roadmap.enums import AuthorRole, StageKind, StageStatus
from roadmap.models.base import (
    RoadmapQuerySet,
    ScopedQuerySet,
    StageItemQuerySet,
    Versioned,
)
from roadmap.models.registry import ACTION_MODELS, SECTION_MODELS


class StageQuerySet(ScopedQuerySet):
    basin_path = "roadmap__basin"

    def with_progress(self):
        """Annotate ``progress`` (0-100).

        Stages with action items average their progress; the others count the
        share of their sections (summary and each item list) that are filled.
        """
        total_sum = Value(0)
        total_count = Value(0)
        for model in ACTION_MODELS:
            rows = model.objects.filter(stage=OuterRef("pk")).order_by().values("stage")
            total_sum = total_sum + Coalesce(
                Subquery(rows.annotate(s=Sum("progress")).values("s")), 0
            )
            total_count = total_count + Coalesce(
                Subquery(rows.annotate(c=models.Count("pk")).values("c")), 0
            )
        filled_by_number = []
        for number, models_of_stage in SECTION_MODELS.items():
            filled = Case(When(summary_length__gt=0, then=1), default=0)
            for model in models_of_stage:
                filled = filled + Case(
                    When(Exists(model.objects.filter(stage=OuterRef("pk"))), then=1),
                    default=0,
                )
            sections = len(models_of_stage) + 1
            filled_by_number.append(When(number=number, then=filled * 100 / sections))
        return self.annotate(
            summary_length=Length("summary"),
            action_sum=total_sum,
            action_count=total_count,
        ).annotate(
            progress=Case(
                When(
                    action_count__gt=0,
                    then=models.F("action_sum") / models.F("action_count"),
                ),
                *filled_by_number,
                default=0,
                output_field=models.IntegerField(),
            )
        )


class Roadmap(Versioned):
    basin = models.ForeignKey(
        Basin,
        on_delete=models.PROTECT,
        related_name="roadmaps",
        verbose_name="bassin d'emploi",
    )
    period_start = models.PositiveIntegerField(
        "début de la période",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    period_end = models.PositiveIntegerField(
        "fin de la période",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    title = models.CharField("titre", max_length=200)

    objects = RoadmapQuerySet.as_manager()

    class Meta:
        verbose_name = "feuille de route"
        verbose_name_plural = "feuilles de route"
        ordering = ["basin__name", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["basin", "period_start"], name="roadmap_one_per_basin_start"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="roadmap_period_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("roadmap:overview", kwargs={"pk": self.pk})

    @property
    def period_label(self):
        return f"{self.period_start}–{self.period_end}"

    def get_risks_url(self):
        return reverse("roadmap:risks", kwargs={"roadmap_pk": self.pk})


class Stage(models.Model):
    roadmap = models.ForeignKey(
        Roadmap,
        on_delete=models.CASCADE,
        related_name="stages",
        verbose_name="feuille de route",
    )
    number = models.PositiveSmallIntegerField("étape", choices=StageKind.choices)
    summary = models.TextField("synthèse", blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=StageStatus.choices, default=StageStatus.DRAFT
    )
    version = models.PositiveIntegerField("version", default=1)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    submitted_with_gaps = models.BooleanField(
        "soumise avec des incohérences", default=False
    )
    reviewed_at = models.DateTimeField("examinée le", null=True, blank=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = "étape"
        ordering = ["roadmap", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "number"], name="stage_one_per_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=6), name="stage_number_1_6"
            ),
        ]

    def __str__(self):
        return f"Étape {self.number} — {self.get_number_display()}"

    def get_absolute_url(self):
        return reverse(
            "roadmap:stage",
            kwargs={"roadmap_pk": self.roadmap_id, "number": self.number},
        )

    @property
    def is_editable(self):
        """The committee may change the content only before validation."""
        return self.status in StageStatus.editable()


class StageTransition(models.Model):
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(
        "statut de départ", max_length=20, choices=StageStatus.choices
    )
    to_status = models.CharField(
        "nouveau statut", max_length=20, choices=StageStatus.choices
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True)

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.stage} : {self.from_status} → {self.to_status}"


class StageComment(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    author_role = models.CharField(
        "rôle de l'auteur", max_length=20, choices=AuthorRole.choices
    )
    body = models.TextField("commentaire", max_length=5000)
    created_at = models.DateTimeField("date", auto_now_add=True)

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "commentaire"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Commentaire sur {self.stage}"
