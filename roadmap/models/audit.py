"""The history of a roadmap: one event per recorded write."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from roadmap.enums import AuditAction
from roadmap.models.base import RoadmapItemQuerySet
from roadmap.models.roadmap import Roadmap, Stage


class AuditEvent(models.Model):
    """One recorded write: who changed what, with {field: [old, new]}."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="events"
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    action = models.CharField("action", max_length=20, choices=AuditAction.choices)
    model_label = models.CharField("type d'objet", max_length=100)
    object_id = models.CharField("identifiant", max_length=40, blank=True)
    object_repr = models.CharField("objet", max_length=255, blank=True)
    # The row's version after this write: a stale form finds the changes it
    # missed as the events with a greater version.
    object_version = models.PositiveIntegerField("version", null=True, blank=True)
    changes = models.JSONField("changements", default=dict, blank=True)

    objects = RoadmapItemQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'historique"
        verbose_name_plural = "historique"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["stage", "-created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} — {self.object_repr}"

    @property
    def model_verbose_name(self):
        model = self._model()
        return model._meta.verbose_name if model else self.model_label

    def change_rows(self):
        """[(field label, old, new)] in French, for the history panel."""
        model = self._model()
        rows = []
        for name, values in (self.changes or {}).items():
            try:
                label = model._meta.get_field(name).verbose_name
            except (AttributeError, FieldDoesNotExist):
                label = name
            old, new = values if isinstance(values, list) else ("", values)
            rows.append((label, old, new))
        return rows

    def _model(self):
        try:
            return apps.get_model(self.model_label)
        except (LookupError, ValueError):
            return None
