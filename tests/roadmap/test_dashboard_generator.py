"""The national demo generator (generate_national_demo)."""

from collections import Counter
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from basins.enums import Role
from basins.models import Membership
from roadmap import models as m
from roadmap.enums import AuditAction, StageStatus
from tests.basins.factories import BasinFactory

ITEM_MODELS = [
    m.Roadmap,
    m.Stage,
    m.LocalActor,
    m.Skill,
    m.Infrastructure,
    m.SocialCondition,
    m.Need,
    m.Axis,
    m.TrainingAction,
    m.InvestmentProject,
    m.FundingLine,
    m.Partnership,
    m.Indicator,
    m.Measurement,
    m.Risk,
]


@pytest.fixture
def basins(territory):
    extra = [
        BasinFactory(
            code=f"{8430 + n}", name=f"Bassin {n}", departments=[territory["isere"]]
        )
        for n in range(8)
    ]
    return [
        territory[name] for name in ("grenoble", "oyonnax", "chateauroux", "cross")
    ] + extra


def generate(*args):
    out = StringIO()
    call_command("generate_national_demo", "--seed", "7", *args, stdout=out)
    return out.getvalue()


def test_every_basin_gets_a_roadmap_with_its_six_stages(basins):
    generate()
    assert m.Roadmap.objects.count() == len(basins)
    assert m.Stage.objects.count() == 6 * len(basins)
    for model in (m.Skill, m.LocalActor, m.Indicator, m.Risk):
        assert model.objects.values(
            "stage__roadmap" if model is not m.Risk else "roadmap"
        ).distinct().count() == len(basins)


def test_every_generated_row_is_recorded_in_the_history(basins):
    generate()
    created = Counter(
        m.AuditEvent.objects.filter(action=AuditAction.CREATE).values_list(
            "model_label", flat=True
        )
    )
    for model in ITEM_MODELS:
        assert created[model._meta.label_lower] == model.objects.count(), model
    transitions = m.AuditEvent.objects.filter(action=AuditAction.TRANSITION).count()
    assert transitions == m.StageTransition.objects.count() > 0
    comments = m.AuditEvent.objects.filter(action=AuditAction.COMMENT).count()
    assert comments == m.StageComment.objects.count() > 0


def test_indicators_have_five_years_of_quarterly_measurements(basins):
    generate()
    indicator = m.Indicator.objects.first()
    dates = sorted(indicator.measurements.values_list("measured_on", flat=True))
    assert len(dates) == 20
    assert (dates[-1] - dates[0]).days > 4 * 365
    assert all(day <= timezone.localdate() for day in dates)


def test_history_has_a_past(basins):
    generate()
    oldest = m.AuditEvent.objects.order_by("created_at").first().created_at
    assert (timezone.now() - oldest).days > 365


def test_some_stages_are_submitted_validated_or_returned(basins):
    generate()
    statuses = set(m.Stage.objects.values_list("status", flat=True))
    assert StageStatus.VALIDATED in statuses
    assert statuses & {StageStatus.SUBMITTED, StageStatus.RETURNED}
    submitted = m.Stage.objects.exclude(status=StageStatus.DRAFT)
    assert not submitted.filter(submitted_at__isnull=True).exists()


def test_demo_users_lead_each_basin_and_review_each_region(basins):
    generate()
    assert Membership.objects.filter(role=Role.LEAD).count() == len(basins)
    reviewers = Membership.objects.filter(role=Role.REVIEWER)
    assert set(reviewers.values_list("region_id", flat=True)) == {"84", "24"}


def test_same_seed_gives_the_same_roadmaps(basins):
    generate()
    first = list(m.Skill.objects.order_by("pk").values_list("job_title", flat=True))
    generate("--reset")
    second = list(m.Skill.objects.order_by("pk").values_list("job_title", flat=True))
    assert first == second
    assert m.Roadmap.objects.count() == len(basins)


def test_second_run_adds_nothing(basins):
    generate()
    events = m.AuditEvent.objects.count()
    out = generate()
    assert "déjà sa feuille de route" in out
    assert m.AuditEvent.objects.count() == events


def test_without_basins_the_command_explains_what_to_do(db):
    with pytest.raises(CommandError, match="import_zones --wet-run"):
        generate()


def test_generated_data_feeds_the_dashboard(client, admin_user, basins):
    cache.clear()
    generate()
    client.force_login(admin_user)
    response = client.get("/feuilles-de-route/tableau-de-bord/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Matrice des étapes" in html
    assert "Pas encore de feuille de route" not in html


# --- Plausible roadmaps ----------------------------------------------------------

# (division, sub-class, section) a basin may have.
ACTIVITIES = [
    ("25", "25.62B", "C"),
    ("28", "28.41Z", "C"),
    ("22", "22.29A", "C"),
    ("10", "10.71C", "C"),
    ("46", "46.69B", "G"),
    ("47", "47.11D", "G"),
]


@pytest.fixture
def stocked(basins):
    """Each basin has three or four of the activities, a few sites each."""
    from tests.diagnostics.compute_factories import EstablishmentFactory

    for n, basin in enumerate(basins):
        for _division, code, section in ACTIVITIES[n % 3 : n % 3 + 4]:
            EstablishmentFactory.create_batch(
                3, basin=basin, naf_code=code, naf_section=section, headcount_band="11"
            )
    return basins


def test_axes_aim_at_divisions_the_basin_has(stocked):
    generate()
    links = m.Axis.naf_divisions.through.objects.values_list(
        "axis__stage__roadmap__basin__code", "nafdivision_id"
    )
    assert links
    present = {
        (basin.code, division)
        for n, basin in enumerate(stocked)
        for division, _code, _section in ACTIVITIES[n % 3 : n % 3 + 4]
    }
    assert set(links) <= present


def test_basins_of_a_region_rarely_share_an_axis_division(stocked):
    generate()
    links = m.Axis.naf_divisions.through.objects.filter(
        axis__stage__roadmap__basin__regions__code="84"
    ).values_list("nafdivision_id", "axis__stage__roadmap__basin_id")
    basins_per_division = Counter(division for division, _basin in set(links))
    assert max(basins_per_division.values()) <= 3


def test_targets_improve_on_their_baselines(basins):
    generate()
    for indicator in m.Indicator.objects.all():
        assert indicator.target > indicator.baseline, indicator.name


def test_validated_stages_are_well_advanced(basins):
    generate()
    stages = m.Stage.objects.with_progress()
    validated = [stage for stage in stages if stage.status == StageStatus.VALIDATED]
    assert validated
    assert min(stage.progress for stage in validated) >= 60


def test_funding_obtained_and_paid_stay_within_what_was_asked(basins):
    generate()
    for line in m.FundingLine.objects.all():
        assert line.amount_paid <= line.amount_obtained <= line.amount_requested
