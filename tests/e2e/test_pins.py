"""Stage 1 in a real Chromium: a member pins a diagnostic figure with HTMX."""

import pytest
from django.core.cache import cache
from django.urls import reverse
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
from tests.roadmap.factories import RoadmapFactory

pytestmark = pytest.mark.slow

LABEL = "Population du bassin en 2021"


# No serialized_rollback: NAF labels are not needed (codes stand in for them),
# and restoring them after another transactional test clashes on content types.
@pytest.mark.django_db(transaction=True)
def test_member_pins_a_figure_and_sees_it_listed(page, member, territory):
    cache.clear()
    grenoble = territory["grenoble"]
    ImportRunFactory(file_name="StockEtablissement_utf8.csv")
    for _ in range(3):
        EstablishmentFactory(basin=grenoble, headcount_band="22")
    EstablishmentFactory(
        basin=territory["oyonnax"],
        headcount_band="22",
        naf_code="47.11D",
        naf_section="G",
    )
    UnemploymentRateFactory(
        basin=grenoble, import_run=ImportRunFactory(kind=ImportKind.UNEMPLOYMENT)
    )
    PopulationCountFactory(
        basin=grenoble,
        year=2021,
        population=712345,
        import_run=ImportRunFactory(kind=ImportKind.POPULATION, file_name="pop.csv"),
    )
    HiringProjectsFactory(
        basin=grenoble, import_run=ImportRunFactory(kind=ImportKind.BMO)
    )
    roadmap = RoadmapFactory(basin=grenoble)

    login(page, member.username)
    page.goto(reverse("roadmap:stage", kwargs={"roadmap_pk": roadmap.pk, "number": 1}))
    expect(
        page.get_by_role("heading", name="Diagnostic automatique (données publiques)")
    ).to_be_visible()
    expect(page.locator("#pinned-empty")).to_be_visible()
    axe_check(page)

    page.get_by_label(f"Commentaire du comité sur « {LABEL} » (facultatif)").fill(
        "Population stable depuis 2015"
    )
    page.get_by_role("button", name=f"Épingler au diagnostic partagé : {LABEL}").click()

    pinned = page.locator("#pinned-figures-table")
    expect(pinned).to_contain_text(LABEL)
    expect(pinned).to_contain_text("712\u00a0345 habitants")
    expect(pinned).to_contain_text("« pop.csv »")
    expect(pinned).to_contain_text("Population stable depuis 2015")
    expect(page.locator("#figure-population-last")).to_contain_text("Épinglé")
    # The history panel hears the roadmap-changed event and shows the pin.
    expect(page.locator("#history")).to_contain_text(LABEL)
    axe_check(page)

    page.reload()
    expect(page.locator("#pinned-figures-table")).to_contain_text(LABEL)
    cache.clear()
