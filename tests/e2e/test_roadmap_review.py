"""Roadmap overview charts, print page and review workflow in Chromium."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from roadmap.enums import StageStatus
from roadmap.models import Stage
from tests.e2e.helpers import axe_check, login
from tests.roadmap.factories import (
    IndicatorFactory,
    LocalActorFactory,
    MeasurementFactory,
    RiskFactory,
    RoadmapFactory,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def roadmap(territory):
    roadmap = RoadmapFactory(
        basin=territory["grenoble"], period_start=2026, title="Grenoble 2026-2031"
    )
    indicator = IndicatorFactory(
        roadmap=roadmap,
        name="Emplois industriels",
        baseline=Decimal("0"),
        target=Decimal("300"),
        target_date=date(2031, 12, 31),
    )
    for day, value in ((date(2026, 3, 31), 20), (date(2026, 9, 30), 55)):
        MeasurementFactory(indicator=indicator, measured_on=day, value=value)
    owner = LocalActorFactory(roadmap=roadmap, name="CCI Grenoble")
    RiskFactory(roadmap=roadmap, title="Concurrence entre bassins", owner=owner)
    return roadmap


def test_overview_draws_every_chart_without_console_error(page, member, roadmap):
    login(page, member.username)
    page.goto(roadmap.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Grenoble 2026-2031")
    charts = page.locator(".chart[data-figure]")
    # The stage progress chart and ours (the seed indicators have no data).
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    chart = page.locator(".chart[aria-label^='Emplois industriels']")
    expect(chart.locator(".scatterlayer .trace")).to_have_count(2)
    expect(chart.locator(".gtitle")).to_have_text("Emplois industriels")
    expect(page.locator("#risk-table")).to_contain_text("Concurrence entre bassins")
    axe_check(page)
    # The console_errors check at teardown catches any CSP violation.


def test_print_page_passes_axe(page, member, roadmap):
    login(page, member.username)
    page.goto(f"/feuilles-de-route/{roadmap.pk}/impression/")
    expect(page.locator("#print-stage-6")).to_contain_text("Emplois industriels")
    axe_check(page)


def test_lead_submits_a_stage_despite_gaps(page, lead, roadmap):
    login(page, lead.username)
    stage = roadmap.stages.get(number=2)
    page.goto(stage.get_absolute_url())
    expect(page.locator(f"#stage-gaps-{stage.pk}")).to_contain_text(
        "Aucun axe stratégique n'est défini."
    )
    page.get_by_role(
        "button", name="Soumettre à la préfecture malgré les incohérences"
    ).click()
    expect(page.locator("#stage-status")).to_contain_text("soumise à la préfecture")
    expect(page.get_by_text("avec des incohérences signalées")).to_be_visible()
    stage.refresh_from_db()
    assert stage.status == StageStatus.SUBMITTED
    assert stage.submitted_with_gaps is True
    axe_check(page)


def test_reviewer_must_comment_to_return_a_stage(
    page, console_errors, department_reviewer, roadmap
):
    stage = roadmap.stages.get(number=1)
    Stage.objects.filter(pk=stage.pk).update(status=StageStatus.SUBMITTED)
    login(page, department_reviewer.username)
    page.goto(stage.get_absolute_url())
    page.get_by_role("button", name="Renvoyer au comité").click()
    # The 422 answer is swapped in: the error sits under the field.
    expect(page.locator(".fr-error-text")).to_contain_text(
        "Un commentaire est obligatoire"
    )
    # Chromium logs the expected 422 answer as a failed resource.
    expected = [error for error in console_errors if "422" in error]
    assert len(expected) == 1
    console_errors.remove(expected[0])
    page.get_by_label("Commentaire pour le comité de bassin").fill(
        "Le diagnostic ne recense aucun acteur local."
    )
    page.get_by_role("button", name="Renvoyer au comité").click()
    expect(page.locator("#stage-status")).to_contain_text("renvoyée")
    expect(page.locator("main")).to_contain_text(
        "Le diagnostic ne recense aucun acteur local."
    )
    stage.refresh_from_db()
    assert stage.status == StageStatus.RETURNED
