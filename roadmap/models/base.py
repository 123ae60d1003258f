"""What every roadmap model shares: access QuerySets, the version counter."""

from django.db import models

from basins.models import Basin


class ScopedQuerySet(models.QuerySet):
    """Rows reached through a basin; one filter on ``basin__in`` keeps it tight."""

    basin_path = "basin"

    def visible_to(self, user):
        return self.filter(**{f"{self.basin_path}__in": Basin.objects.visible_to(user)})

    def editable_by(self, user):
        return self.filter(
            **{f"{self.basin_path}__in": Basin.objects.editable_by(user)}
        )


class RoadmapQuerySet(ScopedQuerySet):
    basin_path = "basin"


class StageItemQuerySet(ScopedQuerySet):
    basin_path = "stage__roadmap__basin"


class RoadmapItemQuerySet(ScopedQuerySet):
    basin_path = "roadmap__basin"


class Versioned(models.Model):
    """An editable row: ``version`` guards against lost concurrent updates."""

    version = models.PositiveIntegerField("version", default=1)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


def check(name, condition):
    """A CheckConstraint named after its model: roadmap_<model>_<name>."""
    return models.CheckConstraint(
        condition=condition, name=f"%(app_label)s_%(class)s_{name}"
    )
