import datetime
import decimal

import pytest
from django.db import IntegrityError, transaction

from roadmap import services
from roadmap.enums import (
    AuditAction,
    IndicatorKind,
    InfrastructureKind,
    StageKind,
    StageStatus,
)
from roadmap.models import AuditEvent, Roadmap, Stage
from tests.roadmap import factories


@pytest.mark.django_db
def test_create_roadmap_creates_six_draft_stages(territory, lead):
    roadmap = services.create_roadmap(
        basin=territory["grenoble"], period_start=2026, period_end=2030, user=lead
    )
    stages = list(roadmap.stages.order_by("number"))
    assert [stage.number for stage in stages] == list(StageKind.values)
    assert {stage.status for stage in stages} == {StageStatus.DRAFT}
    assert roadmap.title == "Feuille de route Grenoble 2026–2030"


@pytest.mark.django_db
def test_create_roadmap_seeds_three_indicators_in_monitoring(territory, lead):
    roadmap = services.create_roadmap(
        basin=territory["grenoble"], period_start=2026, period_end=2030, user=lead
    )
    monitoring = roadmap.stages.get(number=StageKind.MONITORING)
    assert sorted(monitoring.indicators.values_list("kind", flat=True)) == sorted(
        [
            IndicatorKind.FIRM_SURVIVAL,
            IndicatorKind.JOBS_CREATED,
            IndicatorKind.LOCAL_PURCHASING,
        ]
    )


@pytest.mark.django_db
def test_create_roadmap_records_roadmap_stages_and_indicators(territory, lead):
    roadmap = services.create_roadmap(
        basin=territory["grenoble"], period_start=2026, period_end=2030, user=lead
    )
    events = AuditEvent.objects.filter(roadmap=roadmap, action=AuditAction.CREATE)
    assert events.filter(model_label="roadmap.roadmap").count() == 1
    assert events.filter(model_label="roadmap.stage").count() == 6
    assert events.filter(model_label="roadmap.indicator").count() == 3
    assert set(events.values_list("user", flat=True)) == {lead.pk}


@pytest.mark.django_db
def test_roadmap_period_start_unique_per_basin(territory):
    factories.RoadmapFactory(basin=territory["grenoble"], period_start=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        Roadmap.objects.create(
            basin=territory["grenoble"], period_start=2026, period_end=2028
        )


@pytest.mark.django_db
def test_same_period_allowed_in_another_basin(territory):
    factories.RoadmapFactory(basin=territory["grenoble"], period_start=2026)
    other = factories.RoadmapFactory(basin=territory["oyonnax"], period_start=2026)
    assert other.pk


@pytest.mark.django_db
def test_roadmap_period_end_before_start_refused(territory):
    with pytest.raises(IntegrityError), transaction.atomic():
        Roadmap.objects.create(
            basin=territory["grenoble"], period_start=2030, period_end=2026
        )


@pytest.mark.django_db
def test_stage_number_unique_per_roadmap(territory):
    roadmap = factories.RoadmapFactory(basin=territory["grenoble"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Stage.objects.create(roadmap=roadmap, number=StageKind.DIAGNOSTIC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class",
    [
        factories.TrainingActionFactory,
        factories.InvestmentProjectFactory,
        factories.FundingLineFactory,
        factories.PartnershipFactory,
    ],
)
def test_action_progress_above_100_refused(factory_class):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory_class(progress=101)


@pytest.mark.django_db
def test_action_end_before_start_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.TrainingActionFactory(
            start_date=datetime.date(2027, 1, 1), end_date=datetime.date(2026, 1, 1)
        )


@pytest.mark.django_db
def test_friche_status_only_on_friche():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.InfrastructureFactory(
            kind=InfrastructureKind.RAIL, friche_status="potential"
        )


@pytest.mark.django_db
def test_funding_local_purchasing_above_100_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.FundingLineFactory(
            local_purchasing_promised_pct=decimal.Decimal("100.01")
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory_class", "field", "value"),
    [
        (factories.SkillFactory, "shortage_level", 5),
        (factories.SocialConditionFactory, "rating", 6),
        (factories.SocialConditionFactory, "rating", 0),
        (factories.NeedFactory, "priority", 4),
        (factories.AxisFactory, "priority", 0),
        (factories.RiskFactory, "likelihood", 5),
        (factories.RiskFactory, "impact", 0),
    ],
)
def test_bounded_scales_refused_out_of_range(factory_class, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory_class(**{field: value})


@pytest.mark.django_db
def test_owner_of_another_roadmap_fails_validation():
    action = factories.TrainingActionFactory()
    action.owner = factories.LocalActorFactory()
    with pytest.raises(Exception, match="acteur de cette feuille de route"):
        action.full_clean()


@pytest.mark.django_db
def test_visible_to_follows_basin_visibility(territory, member, outsider):
    own = factories.RoadmapFactory(basin=territory["grenoble"])
    factories.RoadmapFactory(basin=territory["chateauroux"])
    assert list(Roadmap.objects.visible_to(member)) == [own]
    assert not Roadmap.objects.visible_to(outsider).exists()


@pytest.mark.django_db
def test_reviewer_sees_but_cannot_edit(territory, department_reviewer):
    factories.RoadmapFactory(basin=territory["grenoble"])
    assert Roadmap.objects.visible_to(department_reviewer).count() == 1
    assert not Roadmap.objects.editable_by(department_reviewer).exists()


@pytest.mark.django_db
def test_progress_averages_action_items():
    action = factories.TrainingActionFactory(progress=20)
    factories.TrainingActionFactory(stage=action.stage, progress=60)
    stage = Stage.objects.with_progress().get(pk=action.stage_id)
    assert stage.progress == 40


@pytest.mark.django_db
def test_progress_without_action_items_counts_filled_sections():
    skill = factories.SkillFactory()
    stage = skill.stage
    stage.summary = "Synthèse"
    stage.save()
    factories.NeedFactory(stage=stage)
    # Summary, skills and needs filled: 3 of 6 sections.
    assert Stage.objects.with_progress().get(pk=stage.pk).progress == 50


@pytest.mark.django_db
def test_progress_of_empty_stage_is_zero():
    roadmap = factories.RoadmapFactory()
    stage = Stage.objects.with_progress().get(roadmap=roadmap, number=2)
    assert stage.progress == 0


@pytest.mark.django_db
def test_monitoring_progress_counts_seed_indicators():
    roadmap = factories.RoadmapFactory()
    stage = Stage.objects.with_progress().get(roadmap=roadmap, number=6)
    # Indicators filled; summary and measurements empty: 1 of 3.
    assert stage.progress == 33
