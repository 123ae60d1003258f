"""Access matrix of the roadmap editing URLs (see tests/access.py)."""

from roadmap.models.registry import ITEM_TYPES
from tests.access import ADMINS, COMMITTEE, REVIEWERS, VISIBLE, Case
from tests.roadmap.access_cases_dashboard import CASES as DASHBOARD_CASES
from tests.roadmap.access_cases_pins import PIN_CASES
from tests.roadmap.access_cases_review import CASES as REVIEW_CASES
from tests.roadmap.factories import RoadmapFactory, make_item

COMMENTERS = COMMITTEE | REVIEWERS | ADMINS


def roadmap_kwargs(basin):
    return {"roadmap_pk": RoadmapFactory(basin=basin).pk}


def stage_kwargs(number):
    def make(basin):
        return {**roadmap_kwargs(basin), "number": number}

    return make


def kind_kwargs(slug):
    def make(basin):
        return {**roadmap_kwargs(basin), "kind": slug}

    return make


def item_kwargs(slug):
    def make(basin):
        roadmap = RoadmapFactory(basin=basin)
        item = make_item(slug, roadmap)
        return {"roadmap_pk": roadmap.pk, "kind": slug, "pk": item.pk}

    return make


def summary_post(basin, kwargs):
    return {"summary": "Synthèse du comité", "version": 1}


def delete_post(basin, kwargs):
    return {"version": 1}


CASES = [
    Case("roadmap:basin_roadmaps", make_kwargs=lambda basin: {"code": basin.code}),
    Case(
        "roadmap:roadmap_create",
        make_kwargs=lambda basin: {"code": basin.code},
        allowed={"GET": COMMITTEE, "POST": COMMITTEE},
        post_data=lambda basin, kwargs: {"period_start": 2090, "period_end": 2095},
    ),
    Case("roadmap:stage", make_kwargs=stage_kwargs(1)),
    Case("roadmap:stage", make_kwargs=stage_kwargs(6)),
    Case(
        "roadmap:stage_summary",
        make_kwargs=stage_kwargs(2),
        allowed={"GET": VISIBLE, "POST": COMMITTEE},
        post_data=summary_post,
    ),
    Case(
        "roadmap:stage_comments",
        make_kwargs=stage_kwargs(3),
        allowed={"GET": VISIBLE, "POST": COMMENTERS},
        post_data=lambda basin, kwargs: {"body": "Merci pour ce travail."},
    ),
    Case("roadmap:stage_history", make_kwargs=stage_kwargs(1)),
    Case("roadmap:stage_progress", make_kwargs=stage_kwargs(3)),
    Case("roadmap:risks", make_kwargs=roadmap_kwargs),
    Case("roadmap:item_list", make_kwargs=kind_kwargs("competences")),
    Case("roadmap:item_list", make_kwargs=kind_kwargs("risques")),
]

# Every item type through the generic views: the committee writes, the
# prefecture and the admin may read the stage but get 403 on these.
for item_type in ITEM_TYPES:
    CASES += [
        Case(
            "roadmap:item_create",
            make_kwargs=kind_kwargs(item_type.slug),
            allowed={"GET": COMMITTEE, "POST": COMMITTEE},
        ),
        Case(
            "roadmap:item_edit",
            make_kwargs=item_kwargs(item_type.slug),
            allowed={"GET": COMMITTEE, "POST": COMMITTEE},
        ),
        Case(
            "roadmap:item_delete",
            make_kwargs=item_kwargs(item_type.slug),
            allowed={"GET": COMMITTEE, "POST": COMMITTEE},
            post_data=delete_post,
        ),
    ]


def bulk_post(basin, kwargs):
    return {"items": [], "status": "done"}


for slug in ("formations", "partenariats"):
    CASES.append(
        Case(
            "roadmap:item_bulk",
            make_kwargs=kind_kwargs(slug),
            allowed={"POST": COMMITTEE},
            post_data=bulk_post,
        )
    )

CASES += REVIEW_CASES + DASHBOARD_CASES + PIN_CASES
