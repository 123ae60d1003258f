"""The basin diagnostic in a real Chromium: Plotly draws under the strict CSP."""

import datetime

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from diagnostics.models import ImportKind
from tests.diagnostics.compute_factories import (
    EstablishmentFactory,
    HiringProjectsFactory,
    ImportRunFactory,
    PopulationCountFactory,
    UnemploymentRateFactory,
)
from tests.e2e.helpers import axe_check, login

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_diagnostic_charts_are_drawn_without_csp_errors(page, member, territory):
    cache.clear()
    grenoble = territory["grenoble"]
    ImportRunFactory(file_name="StockEtablissement_utf8.csv")
    for n, (band, code, section) in enumerate(
        [
            ("41", "25.62B", "C"),
            ("22", "25.62B", "C"),
            ("12", "47.11D", "G"),
            ("03", "43.22A", "F"),
            ("NN", "68.20B", "L"),
        ]
    ):
        EstablishmentFactory(
            basin=grenoble,
            headcount_band=band,
            naf_code=code,
            naf_section=section,
            created_on=datetime.date(2017 + n, 6, 1),
        )
    EstablishmentFactory(
        basin=territory["oyonnax"],
        headcount_band="12",
        naf_code="47.11D",
        naf_section="G",
    )
    run = ImportRunFactory(kind=ImportKind.UNEMPLOYMENT)
    for quarter, month, rate in (("2023-T2", 4, "6.8"), ("2023-T3", 7, "7.0")):
        UnemploymentRateFactory(
            basin=grenoble,
            quarter=quarter,
            period_start=datetime.date(2023, month, 1),
            rate=rate,
            import_run=run,
        )
    PopulationCountFactory(
        basin=grenoble, import_run=ImportRunFactory(kind=ImportKind.POPULATION)
    )
    HiringProjectsFactory(
        basin=grenoble, import_run=ImportRunFactory(kind=ImportKind.BMO)
    )

    login(page, member.username)
    page.goto(f"/diagnostics/bassins/{grenoble.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diagnostic")
    charts = page.locator(".chart[data-figure]")
    expect(charts).to_have_count(8)
    for index in range(8):
        # Plotly renders an SVG per figure once drawn.
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    expect(page.get_by_text("Spécialisation").first).to_be_visible()
    axe_check(page)
    cache.clear()
