"""The prefecture dashboard in a real browser: a regional reviewer finds the
stage waiting for review, returns it with a comment, the lead reads it."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from roadmap.enums import StageKind
from roadmap.services import workflow
from tests.e2e.helpers import axe_check, login
from tests.roadmap.factories import RoadmapFactory

pytestmark = pytest.mark.slow

COMMENT = "Merci de préciser les filières visées par chaque axe."


@pytest.fixture
def roadmaps(territory, lead):
    cache.clear()
    found = {
        name: RoadmapFactory(basin=territory[name], period_start=2026)
        for name in ("grenoble", "oyonnax", "chateauroux", "cross")
    }
    stage = found["grenoble"].stages.get(number=StageKind.STRATEGY)
    workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    return found


def test_reviewer_returns_a_waiting_stage_and_the_lead_reads_the_comment(
    page, browser, live_server, region_reviewer, lead, roadmaps
):
    login(page, region_reviewer.username)
    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tableau de bord de la préfecture"
    )
    table = page.locator("#matrix-table")
    expect(table).to_contain_text("Grenoble")
    expect(table).to_contain_text("Oyonnax")
    expect(table).to_contain_text("Bassin mixte")
    expect(table).not_to_contain_text("Châteauroux")
    expect(table.locator("tbody tr")).to_have_count(3)
    axe_check(page)

    # "En attente de mon examen": the matrix is filtered in place (HTMX).
    page.locator("label[for=id_waiting]").click()
    # (DSFR styles its table wrapper: the swapped ids stay off that wrapper, or
    # htmx's settle would copy a style attribute, which the CSP refuses.)
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Grenoble")
    expect(page).to_have_url(re.compile(r"waiting=on"))
    axe_check(page)

    page.get_by_role(
        "link", name=re.compile(r"Grenoble, étape 2 : soumise à la préfecture")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Projection stratégique"
    )
    page.get_by_label("Commentaire pour le comité de bassin").fill(COMMENT)
    page.get_by_role("button", name="Renvoyer au comité").click()
    expect(page.locator("#stage-status")).to_contain_text("renvoyée")

    # The committee lead, in another browser session.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        lead_page = context.new_page()
        login(lead_page, lead.username)
        stage = roadmaps["grenoble"].stages.get(number=StageKind.STRATEGY)
        lead_page.goto(stage.get_absolute_url())
        expect(lead_page.locator("#comment-list")).to_contain_text(COMMENT)
        expect(lead_page.locator("#stage-status")).to_contain_text("renvoyée")
    finally:
        context.close()

    # Back on the dashboard, the stage is no longer waiting (cache refreshed).
    page.goto("/feuilles-de-route/tableau-de-bord/?waiting=on")
    expect(page.locator("#matrix-empty")).to_be_visible()


def test_dashboard_pages_pass_axe(page, admin_user, roadmaps):
    login(page, admin_user.username)
    for path, heading in (
        ("/feuilles-de-route/tableau-de-bord/file-d-attente/", "Étapes en attente"),
        ("/feuilles-de-route/tableau-de-bord/alertes/", "Alertes"),
        ("/feuilles-de-route/tableau-de-bord/indicateurs/", "Indicateurs"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        axe_check(page)
