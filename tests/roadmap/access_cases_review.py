"""Access matrix of the review, overview, print and export URLs
(roadmap/views_review.py; see tests/access.py)."""

from roadmap.enums import StageStatus
from roadmap.models import Stage
from tests.access import ADMINS, LEADS, REVIEWERS, Case
from tests.roadmap.factories import RoadmapFactory

REVIEWERS_AND_ADMINS = REVIEWERS | ADMINS


def roadmap_pk(basin):
    return {"pk": RoadmapFactory(basin=basin).pk}


def stage_in(status):
    """A fresh roadmap of the basin with its stage 1 in ``status``."""

    def make(basin):
        roadmap = RoadmapFactory(basin=basin)
        Stage.objects.filter(roadmap=roadmap, number=1).update(status=status)
        return {"roadmap_pk": roadmap.pk, "number": 1}

    return make


def with_version(basin, kwargs):
    stage = Stage.objects.get(roadmap_id=kwargs["roadmap_pk"], number=1)
    return {"version": stage.version, "comment": "Merci de compléter le diagnostic."}


CASES = [
    Case("roadmap:overview", make_kwargs=roadmap_pk),
    Case("roadmap:print", make_kwargs=roadmap_pk),
    Case("roadmap:export_xlsx", make_kwargs=roadmap_pk),
    Case("roadmap:export_csv", make_kwargs=roadmap_pk),
    Case("roadmap:stage_review", make_kwargs=stage_in(StageStatus.SUBMITTED)),
    Case(
        "roadmap:stage_submit",
        make_kwargs=stage_in(StageStatus.DRAFT),
        allowed={"POST": LEADS},
        post_data=with_version,
    ),
    Case(
        "roadmap:stage_submit",
        make_kwargs=stage_in(StageStatus.RETURNED),
        allowed={"POST": LEADS},
        post_data=with_version,
    ),
    Case(
        "roadmap:stage_validate",
        make_kwargs=stage_in(StageStatus.SUBMITTED),
        allowed={"POST": REVIEWERS_AND_ADMINS},
        post_data=with_version,
    ),
    Case(
        "roadmap:stage_return",
        make_kwargs=stage_in(StageStatus.SUBMITTED),
        allowed={"POST": REVIEWERS_AND_ADMINS},
        post_data=with_version,
    ),
]
