"""Alert rules and normalisations of the dashboard (pure: no database)."""

from datetime import date, datetime
from decimal import Decimal

from roadmap.dashboard import alerts
from roadmap.dashboard.alerts import (
    ActivityFact,
    AlertKind,
    AxisFact,
    FundingFact,
    IndicatorFact,
    InvestmentFact,
    StageFact,
)
from roadmap.enums import StageKind, StageStatus

TODAY = date(2026, 11, 23)


def axis(basin_id, basin_name, *, region="84", naf="25", roadmap_id=None):
    return AxisFact(
        region_code=region,
        region_name="Auvergne-Rhône-Alpes" if region == "84" else "Centre-Val de Loire",
        naf_code=naf,
        naf_label="Fabrication de produits métalliques",
        basin_id=basin_id,
        basin_name=basin_name,
        roadmap_id=roadmap_id or basin_id * 10,
    )


# --- Concurrence entre bassins ---


def test_two_basins_of_a_region_on_one_division_alert_each_other():
    found = alerts.competition_alerts(
        [axis(1, "Grenoble"), axis(2, "Oyonnax"), axis(3, "Châteauroux", naf="20")]
    )
    assert [(a.basin_name, a.stage_number) for a in found] == [
        ("Grenoble", StageKind.STRATEGY),
        ("Oyonnax", StageKind.STRATEGY),
    ]
    assert "comme Oyonnax" in found[0].message
    assert "division NAF 25" in found[0].message
    assert found[0].roadmap_id == 10


def test_same_division_in_two_regions_is_no_competition():
    found = alerts.competition_alerts(
        [axis(1, "Grenoble"), axis(2, "Châteauroux", region="24")]
    )
    assert found == []


def test_two_axes_of_one_basin_on_one_division_are_no_competition():
    assert alerts.competition_alerts([axis(1, "Grenoble"), axis(1, "Grenoble")]) == []


def test_competition_names_every_other_basin():
    found = alerts.competition_alerts(
        [axis(1, "Grenoble"), axis(2, "Oyonnax"), axis(3, "Annecy")]
    )
    grenoble = next(a for a in found if a.basin_name == "Grenoble")
    assert "comme Annecy et Oyonnax" in grenoble.message


# --- Effet d'éviction ---


def funding(obtained, elsewhere, threshold="30"):
    return FundingFact(
        basin_id=1,
        basin_name="Grenoble",
        roadmap_id=10,
        obtained=Decimal(obtained),
        obtained_elsewhere=Decimal(elsewhere),
        threshold_pct=Decimal(threshold),
    )


def test_crowding_out_above_the_regional_threshold():
    (alert,) = alerts.crowding_out_alerts([funding("1000000", "450000")])
    assert alert.kind == AlertKind.CROWDING_OUT
    assert alert.stage_number == StageKind.INVESTMENT
    assert "45 %" in alert.message
    assert "seuil régional de 30 %" in alert.message


def test_crowding_out_at_the_threshold_is_no_alert():
    assert alerts.crowding_out_alerts([funding("1000", "300")]) == []


def test_crowding_out_uses_each_region_threshold():
    assert alerts.crowding_out_alerts([funding("1000", "450", threshold="50")]) == []


def test_no_funding_obtained_is_no_crowding_out():
    assert alerts.crowding_out_alerts([funding("0", "0")]) == []


# --- Précipitation ---


def stage(number, status, gaps):
    return StageFact(1, "Grenoble", 10, number, status, gaps)


def test_stage_submitted_with_gaps_is_haste():
    (alert,) = alerts.haste_alerts([stage(2, StageStatus.SUBMITTED, True)], [])
    assert alert.kind == AlertKind.HASTE
    assert alert.stage_number == 2
    assert "Projection stratégique" in alert.message


def test_gaps_of_a_returned_or_draft_stage_are_no_haste():
    facts = [stage(1, StageStatus.RETURNED, True), stage(2, StageStatus.DRAFT, True)]
    assert alerts.haste_alerts(facts, []) == []


def test_investments_before_the_skills_plan_is_validated_is_haste():
    facts = [InvestmentFact(1, "Grenoble", 10, 3, StageStatus.SUBMITTED)]
    (alert,) = alerts.haste_alerts([], facts)
    assert alert.stage_number == StageKind.INVESTMENT
    assert "3 investissements" in alert.message


def test_investments_after_the_skills_plan_is_validated_are_fine():
    facts = [
        InvestmentFact(1, "Grenoble", 10, 3, StageStatus.VALIDATED),
        InvestmentFact(2, "Oyonnax", 20, 0, StageStatus.DRAFT),
    ]
    assert alerts.haste_alerts([], facts) == []


# --- Inactivité ---


def activity(day):
    moment = datetime(day.year, day.month, day.day, 10) if day else None
    return ActivityFact(1, "Grenoble", 10, moment)


def test_no_change_for_more_than_90_days_is_inactivity():
    (alert,) = alerts.inactivity_alerts([activity(date(2026, 8, 24))], today=TODAY)
    assert alert.kind == AlertKind.INACTIVITY
    assert alert.stage_number is None
    assert "depuis le 24/08/2026 (91 jours)" in alert.message


def test_a_change_90_days_ago_is_not_yet_inactivity():
    assert alerts.inactivity_alerts([activity(date(2026, 8, 25))], today=TODAY) == []


def test_a_roadmap_without_history_is_not_flagged_inactive():
    assert alerts.inactivity_alerts([activity(None)], today=TODAY) == []


# --- Indicateurs sans mesure ---


def indicator(last):
    return IndicatorFact(1, "Grenoble", 10, "Emplois créés", last)


def test_indicator_without_measurement_for_a_year_is_flagged():
    found = alerts.stale_indicator_alerts(
        [indicator(date(2025, 11, 22)), indicator(None)], today=TODAY
    )
    assert [a.stage_number for a in found] == [StageKind.MONITORING] * 2
    assert "dernière mesure le 22/11/2025" in found[0].message
    assert "aucune mesure saisie" in found[1].message


def test_indicator_measured_within_a_year_is_fine():
    assert (
        alerts.stale_indicator_alerts([indicator(date(2025, 11, 23))], today=TODAY)
        == []
    )


# --- Sorting, counting ---


def test_alerts_are_sorted_by_basin_then_kind():
    found = alerts.sort_alerts(
        [
            alerts.Alert(AlertKind.INACTIVITY, 2, "Oyonnax", 20, "b"),
            alerts.Alert(AlertKind.INACTIVITY, 1, "Grenoble", 10, "a"),
            alerts.Alert(AlertKind.COMPETITION, 1, "Grenoble", 10, "c", 2),
        ]
    )
    assert [(a.basin_name, a.kind) for a in found] == [
        ("Grenoble", AlertKind.COMPETITION),
        ("Grenoble", AlertKind.INACTIVITY),
        ("Oyonnax", AlertKind.INACTIVITY),
    ]


def test_counts_list_every_kind_even_at_zero():
    counts = dict(
        alerts.count_by_kind([alerts.Alert(AlertKind.HASTE, 1, "Grenoble", 10, "x")])
    )
    assert counts[AlertKind.HASTE] == 1
    assert counts[AlertKind.COMPETITION] == 0
    assert len(counts) == len(AlertKind)


# --- Normalisation ---


def test_per_thousand_compares_a_small_basin_with_a_large_one():
    small = alerts.per_thousand(Decimal("30"), 20_000)
    large = alerts.per_thousand(Decimal("300"), 400_000)
    assert small == 1.5
    assert large == 0.75


def test_per_thousand_without_population_or_value_is_unknown():
    assert alerts.per_thousand(Decimal("30"), None) is None
    assert alerts.per_thousand(Decimal("30"), 0) is None
    assert alerts.per_thousand(None, 1000) is None


def test_target_reached_percentage():
    assert alerts.target_reached_pct(Decimal("50"), Decimal("200")) == 25.0
    assert alerts.target_reached_pct(Decimal("50"), None) is None


def test_unemployment_trend_compares_with_four_quarters_earlier():
    trend = alerts.unemployment_trend(
        [
            (date(2022, 7, 1), "2022-T3", Decimal("7.1")),
            (date(2023, 7, 1), "2023-T3", Decimal("6.4")),
            (date(2023, 4, 1), "2023-T2", Decimal("6.6")),
        ]
    )
    assert trend.quarter == "2023-T3"
    assert trend.rate == Decimal("6.4")
    assert trend.change == Decimal("-0.7")


def test_unemployment_trend_without_the_year_before_has_no_change():
    trend = alerts.unemployment_trend([(date(2023, 7, 1), "2023-T3", Decimal("6.4"))])
    assert trend.change is None
    assert alerts.unemployment_trend([]) is None


def test_waiting_days_and_label():
    assert alerts.waiting_days(datetime(2026, 11, 13, 9), today=TODAY) == 10
    assert alerts.waiting_days(None, today=TODAY) is None
    assert alerts.waiting_label(0) == "aujourd'hui"
    assert alerts.waiting_label(1) == "1 jour"
    assert alerts.waiting_label(12) == "12 jours"
