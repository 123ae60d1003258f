"""Figures of the automatic diagnostic pinned to a stage's shared diagnostic.

A pin freezes the label, value and source of a figure as they were when the
committee pinned it: later imports do not change it.
"""

from django.conf import settings
from django.db import models

from roadmap.models.base import StageItemQuerySet


class PinnedFigure(models.Model):
    """A diagnostic figure the committee keeps in its shared diagnostic."""

    stage = models.ForeignKey(
        "roadmap.Stage",
        on_delete=models.CASCADE,
        related_name="pinned_figures",
        verbose_name="étape",
    )
    key = models.CharField(
        "identifiant du chiffre",
        max_length=60,
        help_text="Stable dans le diagnostic, ex. « lq:25 ».",
    )
    label = models.CharField("libellé", max_length=255)
    value = models.CharField("valeur", max_length=255)
    source = models.CharField("source", max_length=500)
    note = models.TextField("commentaire du comité", blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="épinglé par",
    )
    version = models.PositiveIntegerField("version", default=1)
    created_at = models.DateTimeField("épinglé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "chiffre épinglé"
        verbose_name_plural = "chiffres épinglés"
        ordering = ["stage", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "key"], name="pinned_figure_one_per_key"
            )
        ]

    def __str__(self):
        return f"{self.label} : {self.value}"
