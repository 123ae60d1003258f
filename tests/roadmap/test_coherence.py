"""Coherence check: the pure gap finder, then the facts read from the DB."""

from datetime import date
from decimal import Decimal

import pytest

from roadmap.coherence import (
    AxisFacts,
    CoherenceFacts,
    IndicatorFacts,
    find_gaps,
    months_before,
)
from roadmap.enums import StageKind
from roadmap.selectors import coherence_facts
from tests.roadmap.factories import (
    AxisFactory,
    IndicatorFactory,
    InvestmentProjectFactory,
    LocalActorFactory,
    MeasurementFactory,
    RoadmapFactory,
    SkillFactory,
    TrainingActionFactory,
)

TODAY = date(2026, 11, 23)

COMPLETE = CoherenceFacts(
    axes=[AxisFacts("Hydrogène", training_count=1, investment_count=2)],
    indicators=[
        IndicatorFacts("Emplois créés", has_target=True, last_measured_on=TODAY),
        IndicatorFacts(
            "Part d'achats locaux",
            has_target=False,
            last_measured_on=date(2025, 11, 23),
        ),
    ],
    skill_count=3,
    actor_count=2,
)


def _kinds(gaps):
    return [gap.kind for gap in gaps]


def _with(**changes):
    return CoherenceFacts(**{**COMPLETE.__dict__, **changes})


def test_complete_roadmap_has_no_gap():
    assert find_gaps(facts=COMPLETE, today=TODAY) == []


def test_axis_without_training_action_is_a_gap():
    facts = _with(axes=[AxisFacts("Hydrogène", 0, 1)])
    gaps = find_gaps(facts=facts, today=TODAY)
    assert _kinds(gaps) == ["axis_without_training"]
    assert gaps[0].message == (
        "L'axe « Hydrogène » n'a aucune action de formation rattachée."
    )


def test_axis_without_investment_project_is_a_gap():
    facts = _with(axes=[AxisFacts("Hydrogène", 1, 0)])
    gaps = find_gaps(facts=facts, today=TODAY)
    assert _kinds(gaps) == ["axis_without_investment"]
    assert gaps[0].message == (
        "L'axe « Hydrogène » n'a aucun projet d'investissement rattaché."
    )


def test_no_axis_at_all_is_a_gap():
    assert _kinds(find_gaps(facts=_with(axes=[]), today=TODAY)) == ["no_axis"]


def test_no_indicator_with_a_target_is_a_gap():
    facts = _with(
        indicators=[IndicatorFacts("Emplois créés", False, TODAY)],
    )
    gaps = find_gaps(facts=facts, today=TODAY)
    assert _kinds(gaps) == ["no_target"]
    assert gaps[0].message == "Aucun indicateur n'a de cible (valeur et date)."


def test_indicator_without_measurement_is_a_gap():
    facts = _with(indicators=[IndicatorFacts("Emplois créés", True, None)])
    gaps = find_gaps(facts=facts, today=TODAY)
    assert _kinds(gaps) == ["stale_indicator"]
    assert gaps[0].message == (
        "L'indicateur « Emplois créés » n'a aucune mesure depuis le 23/11/2025 "
        "(aucune n'a été saisie)."
    )


def test_indicator_measured_more_than_12_months_ago_is_a_gap():
    facts = _with(
        indicators=[IndicatorFacts("Emplois créés", True, date(2025, 11, 22))]
    )
    gaps = find_gaps(facts=facts, today=TODAY)
    assert _kinds(gaps) == ["stale_indicator"]
    assert "la dernière date du 22/11/2025" in gaps[0].message


def test_indicator_measured_exactly_12_months_ago_is_fine():
    facts = _with(
        indicators=[IndicatorFacts("Emplois créés", True, date(2025, 11, 23))]
    )
    assert find_gaps(facts=facts, today=TODAY) == []


def test_empty_diagnostic_is_two_gaps():
    facts = _with(skill_count=0, actor_count=0)
    gaps = find_gaps(facts=facts, today=TODAY)
    assert _kinds(gaps) == ["no_skill", "no_actor"]
    assert gaps[0].message == "Diagnostic vide : aucun métier n'est recensé."
    assert gaps[1].message == "Diagnostic vide : aucun acteur local n'est recensé."


def test_gaps_are_filtered_by_stage():
    facts = CoherenceFacts(
        axes=[AxisFacts("Hydrogène", 0, 0)],
        indicators=[],
    )
    by_stage = {
        stage: _kinds(find_gaps(facts=facts, today=TODAY, stage_number=stage))
        for stage in StageKind.values
    }
    assert by_stage == {
        1: ["no_skill", "no_actor"],
        2: ["axis_without_training", "axis_without_investment"],
        3: ["axis_without_training"],
        4: ["axis_without_investment"],
        5: [],
        6: ["no_target"],
    }


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), date(2025, 11, 23)),
        (date(2024, 2, 29), date(2023, 2, 28)),
        (date(2026, 1, 31), date(2025, 1, 31)),
    ],
)
def test_months_before_one_year(day, expected):
    assert months_before(day, 12) == expected


def test_months_before_clamps_to_month_end():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


# --- Facts read from the database ---------------------------------------------


@pytest.fixture
def roadmap(territory):
    return RoadmapFactory(basin=territory["grenoble"], period_start=2026)


@pytest.mark.django_db
def test_facts_of_a_new_roadmap(roadmap):
    facts = coherence_facts(roadmap=roadmap)
    assert facts.axes == []
    assert facts.skill_count == 0
    assert facts.actor_count == 0
    # The three seed indicators, without target nor measurement.
    assert [indicator.has_target for indicator in facts.indicators] == [False] * 3
    assert {indicator.last_measured_on for indicator in facts.indicators} == {None}


@pytest.mark.django_db
def test_facts_count_links_per_axis(roadmap):
    linked = AxisFactory(roadmap=roadmap, title="Hydrogène")
    AxisFactory(roadmap=roadmap, title="Textile")
    TrainingActionFactory(roadmap=roadmap, axis=linked)
    TrainingActionFactory(roadmap=roadmap, axis=linked)
    InvestmentProjectFactory(roadmap=roadmap, axis=linked)
    facts = coherence_facts(roadmap=roadmap)
    assert sorted(facts.axes, key=lambda axis: axis.title) == [
        AxisFacts("Hydrogène", 2, 1),
        AxisFacts("Textile", 0, 0),
    ]


@pytest.mark.django_db
def test_facts_read_targets_and_last_measurement(roadmap):
    indicator = IndicatorFactory(
        roadmap=roadmap,
        name="Emplois industriels",
        target=Decimal("100"),
        target_date=date(2030, 12, 31),
    )
    MeasurementFactory(indicator=indicator, measured_on=date(2025, 3, 1))
    MeasurementFactory(indicator=indicator, measured_on=date(2026, 3, 1))
    facts = coherence_facts(roadmap=roadmap)
    [read] = [i for i in facts.indicators if i.name == "Emplois industriels"]
    assert read == IndicatorFacts("Emplois industriels", True, date(2026, 3, 1))


@pytest.mark.django_db
def test_facts_count_diagnostic_rows_of_this_roadmap_only(roadmap, territory):
    SkillFactory(roadmap=roadmap)
    SkillFactory(roadmap=roadmap)
    LocalActorFactory(roadmap=roadmap)
    other = RoadmapFactory(basin=territory["oyonnax"], period_start=2026)
    LocalActorFactory(roadmap=other)
    facts = coherence_facts(roadmap=roadmap)
    assert (facts.skill_count, facts.actor_count) == (2, 1)


@pytest.mark.django_db
def test_facts_take_a_bounded_number_of_queries(roadmap, django_assert_max_num_queries):
    for _ in range(5):
        axis = AxisFactory(roadmap=roadmap)
        TrainingActionFactory(roadmap=roadmap, axis=axis)
        IndicatorFactory(roadmap=roadmap)
    with django_assert_max_num_queries(3):
        coherence_facts(roadmap=roadmap)
