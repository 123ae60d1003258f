"""Access matrix of the stage 1 pinned figures (roadmap/views_pins.py;
see tests/access.py)."""

from diagnostics.models import PopulationCount
from roadmap.enums import StageKind
from roadmap.models import PinnedFigure
from tests.access import COMMITTEE, Case
from tests.diagnostics.compute_factories import (
    ImportRunFactory,
    PopulationCountFactory,
)
from tests.roadmap.factories import RoadmapFactory


def roadmap_kwargs(basin):
    return {"roadmap_pk": RoadmapFactory(basin=basin).pk}


def with_population(basin):
    """A roadmap of a basin whose population is imported (one pinnable figure)."""
    # Called once per request: the basin may already have its population.
    if not PopulationCount.objects.filter(basin=basin).exists():
        PopulationCountFactory(
            basin=basin, import_run=ImportRunFactory(kind="POPULATION"), year=2021
        )
    return roadmap_kwargs(basin)


def pinned(basin):
    roadmap = RoadmapFactory(basin=basin)
    pin = PinnedFigure.objects.create(
        stage=roadmap.stages.get(number=StageKind.DIAGNOSTIC),
        key="population:last",
        label="Population du bassin en 2021",
        value="100 000 habitants",
        source="Population historique par zone d'emploi (INSEE), fichier « p.csv »",
    )
    return {"roadmap_pk": roadmap.pk, "pk": pin.pk}


PIN_CASES = [
    Case("roadmap:pins_panel", make_kwargs=roadmap_kwargs),
    Case(
        "roadmap:pin_create",
        make_kwargs=with_population,
        allowed={"POST": COMMITTEE},
        post_data=lambda basin, kwargs: {"key": "population:last"},
    ),
    Case(
        "roadmap:pin_delete",
        make_kwargs=pinned,
        allowed={"POST": COMMITTEE},
        post_data=lambda basin, kwargs: {"version": 1},
    ),
]
