"""The prefecture dashboard: scope, matrix, filters, sorting, pagination,
query counts and cache invalidation."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roadmap import services
from roadmap.enums import StageKind, StageStatus
from roadmap.models import AlertThreshold, FundingLine, Stage
from roadmap.services import workflow
from tests.basins.factories import BasinFactory
from tests.roadmap.factories import (
    AxisFactory,
    FundingLineFactory,
    IndicatorFactory,
    LocalActorFactory,
    MeasurementFactory,
    RoadmapFactory,
    SkillFactory,
    TrainingActionFactory,
)

URL = reverse("roadmap:dashboard")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    # SQLite may reuse ids after a test's rollback: never share cached pages.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roadmaps(territory):
    return {
        name: RoadmapFactory(basin=territory[name], period_start=2026)
        for name in ("grenoble", "oyonnax", "chateauroux", "cross")
    }


def set_stage(roadmap, number, status, *, days_ago=0, gaps=False):
    Stage.objects.filter(roadmap=roadmap, number=number).update(
        status=status,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        submitted_with_gaps=gaps,
    )


def matrix_basins(client, query=""):
    """Basin names in the matrix rows, in order (HTMX fragment)."""
    html = client.get(URL + query, headers=HTMX).content.decode()
    return re.findall(r'<th scope="row">\s*(?:<a href="[^"]*">)?([^<]+?)<', html)


def test_department_reviewer_sees_the_basins_of_the_department(
    client, department_reviewer, roadmaps
):
    client.force_login(department_reviewer)
    assert sorted(matrix_basins(client, "?sort=nom")) == ["Bassin mixte", "Grenoble"]


def test_region_reviewer_sees_the_basins_of_the_region(
    client, region_reviewer, roadmaps
):
    client.force_login(region_reviewer)
    assert matrix_basins(client, "?sort=nom") == ["Bassin mixte", "Grenoble", "Oyonnax"]


def test_admin_sees_every_basin(client, admin_user, roadmaps):
    client.force_login(admin_user)
    assert matrix_basins(client, "?sort=nom") == [
        "Bassin mixte",
        "Châteauroux",
        "Grenoble",
        "Oyonnax",
    ]


@pytest.mark.parametrize("role", ["member", "lead", "outsider"])
def test_committee_and_users_without_role_get_403(request, client, roadmaps, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL)
    assert response.status_code == 403
    assert "réservé aux référents des préfectures" in response.content.decode()


def test_waiting_filter_keeps_basins_with_a_submitted_stage(
    client, region_reviewer, roadmaps
):
    set_stage(roadmaps["oyonnax"], 2, StageStatus.SUBMITTED, days_ago=3)
    set_stage(roadmaps["grenoble"], 1, StageStatus.VALIDATED)
    client.force_login(region_reviewer)
    assert matrix_basins(client, "?waiting=on") == ["Oyonnax"]


def test_department_filter(client, region_reviewer, roadmaps):
    client.force_login(region_reviewer)
    assert matrix_basins(client, "?department=01&sort=nom") == [
        "Bassin mixte",
        "Oyonnax",
    ]


def test_status_filter(client, region_reviewer, roadmaps):
    set_stage(roadmaps["grenoble"], 4, StageStatus.RETURNED)
    client.force_login(region_reviewer)
    assert matrix_basins(client, "?status=returned") == ["Grenoble"]


def test_unknown_filter_value_is_shown_and_ignored(client, region_reviewer, roadmaps):
    client.force_login(region_reviewer)
    response = client.get(URL + "?status=perdu")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert len(matrix_basins(client, "?status=perdu")) == 3


def test_lateness_puts_the_oldest_pending_submission_first(
    client, region_reviewer, roadmaps
):
    set_stage(roadmaps["grenoble"], 1, StageStatus.SUBMITTED, days_ago=10)
    set_stage(roadmaps["cross"], 3, StageStatus.SUBMITTED, days_ago=30)
    client.force_login(region_reviewer)
    assert matrix_basins(client)[:2] == ["Bassin mixte", "Grenoble"]
    html = client.get(URL, headers=HTMX).content.decode()
    assert "en attente depuis 30 jours" in html


def test_matrix_cell_shows_status_in_words_progress_and_links_to_the_stage(
    client, region_reviewer, roadmaps
):
    roadmap = roadmaps["grenoble"]
    set_stage(roadmap, 2, StageStatus.SUBMITTED, days_ago=1)
    client.force_login(region_reviewer)
    html = client.get(URL, headers=HTMX).content.decode()
    stage = roadmap.stages.get(number=2)
    assert f'href="{stage.get_absolute_url()}"' in html
    assert "Grenoble, étape 2 : soumise à la préfecture, 0 %" in html
    assert "fr-badge--info" in html


def test_basin_without_roadmap_is_listed_as_such(client, region_reviewer, territory):
    client.force_login(region_reviewer)
    html = client.get(URL, headers=HTMX).content.decode()
    assert html.count("Pas encore de feuille de route.") == 3


def test_matrix_is_paginated_and_keeps_filters(client, admin_user, territory):
    for n in range(30):
        BasinFactory(
            code=f"{7000 + n}", name=f"Bassin {n:02d}", departments=[territory["isere"]]
        )
    client.force_login(admin_user)
    first = matrix_basins(client, "?department=38&sort=nom")
    second = matrix_basins(client, "?department=38&sort=nom&page=2")
    assert len(first) == 25
    assert len(second) == 7  # 30 + Grenoble + Bassin mixte
    assert not set(first) & set(second)
    html = client.get(URL + "?department=38&sort=nom").content.decode()
    assert "?department=38&amp;sort=nom&amp;page=2" in html


def test_htmx_fragment_is_the_full_page_matrix(client, region_reviewer, roadmaps):
    set_stage(roadmaps["grenoble"], 1, StageStatus.SUBMITTED, days_ago=2)
    client.force_login(region_reviewer)
    full = client.get(URL + "?sort=nom").content.decode()
    fragment = client.get(URL + "?sort=nom", headers=HTMX).content.decode()
    assert fragment.strip().startswith('<div id="matrix"')
    assert fragment.strip() in full


def test_nav_link_for_reviewers_only(client, region_reviewer, member, roadmaps):
    client.force_login(region_reviewer)
    assert f'href="{URL}"' in client.get(reverse("basins:home")).content.decode()
    client.force_login(member)
    assert f'href="{URL}"' not in client.get(reverse("basins:home")).content.decode()


# --- Query counts --------------------------------------------------------------


def national(size, territory, *, start=0):
    """``size`` basins of Isère, each with a roadmap, items and alerts."""
    for n in range(start, start + size):
        basin = BasinFactory(
            code=f"{6000 + n}", name=f"Bassin {n:02d}", departments=[territory["isere"]]
        )
        roadmap = RoadmapFactory(basin=basin, period_start=2026)
        actor = LocalActorFactory(roadmap=roadmap)
        SkillFactory(roadmap=roadmap)
        axis = AxisFactory(roadmap=roadmap)
        TrainingActionFactory(roadmap=roadmap, axis=axis, owner=actor, progress=40)
        FundingLineFactory(
            roadmap=roadmap, beneficiary_is_local=False, amount_obtained=1000
        )
        indicator = IndicatorFactory(roadmap=roadmap)
        MeasurementFactory(indicator=indicator)
        set_stage(roadmap, 1 + n % 6, StageStatus.SUBMITTED, days_ago=n)


def queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        URL,
        URL + "?waiting=on&department=38",
        reverse("roadmap:dashboard_queue"),
        reverse("roadmap:dashboard_alerts"),
        reverse("roadmap:dashboard_indicators"),
        reverse("roadmap:dashboard_matrix_csv"),
        reverse("roadmap:dashboard_indicators_xlsx"),
    ],
)
def test_query_count_does_not_grow_with_basins(
    client, admin_user, territory, url, django_assert_max_num_queries
):
    client.force_login(admin_user)
    national(2, territory)
    few = queries(client, url)
    national(18, territory, start=2)
    many = queries(client, url)
    assert many == few
    cache.clear()
    with django_assert_max_num_queries(30):
        client.get(url)


def test_cached_page_runs_only_the_stamp_and_session_queries(
    client, admin_user, territory, django_assert_max_num_queries
):
    national(3, territory)
    client.force_login(admin_user)
    client.get(URL)
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert "Bassin 00" in response.content.decode()


# --- Cache invalidation -----------------------------------------------------------


def test_a_transition_shows_at_once_despite_the_cache(
    client, region_reviewer, lead, roadmaps
):
    client.force_login(region_reviewer)
    assert (
        "soumise à la préfecture" not in client.get(URL, headers=HTMX).content.decode()
    )
    stage = roadmaps["grenoble"].stages.get(number=StageKind.DIAGNOSTIC)
    workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    html = client.get(URL, headers=HTMX).content.decode()
    assert "Grenoble, étape 1 : soumise à la préfecture" in html
    assert matrix_basins(client, "?waiting=on") == ["Grenoble"]


def test_an_item_written_through_the_services_refreshes_the_alerts(
    client, region_reviewer, roadmaps, member
):
    client.force_login(region_reviewer)
    alerts_url = reverse("roadmap:dashboard_alerts") + "?kind=crowding_out"
    assert "Aucune alerte" in client.get(alerts_url).content.decode()
    stage = roadmaps["grenoble"].stages.get(number=StageKind.INVESTMENT)
    services.create_item(
        item=FundingLine(
            stage=stage,
            kind="conditional_grant",
            beneficiary_name="Grand groupe",
            beneficiary_is_local=False,
            amount_obtained=100_000,
        ),
        user=member,
    )
    assert "100 % des financements obtenus" in client.get(alerts_url).content.decode()


def test_a_new_threshold_refreshes_the_crowding_out_alert(
    client, region_reviewer, roadmaps, territory
):
    FundingLineFactory(
        roadmap=roadmaps["grenoble"], beneficiary_is_sme=False, amount_obtained=400
    )
    FundingLineFactory(
        roadmap=roadmaps["grenoble"], beneficiary_is_sme=True, amount_obtained=600
    )
    client.force_login(region_reviewer)
    alerts_url = reverse("roadmap:dashboard_alerts") + "?kind=crowding_out"
    html = client.get(alerts_url).content.decode()
    assert "40 % des financements obtenus" in html
    assert "seuil régional de 30 %" in html
    threshold = AlertThreshold.objects.create(
        region=territory["ara"], crowding_out_threshold_pct=50
    )
    assert "Aucune alerte" in client.get(alerts_url).content.decode()
    threshold.crowding_out_threshold_pct = 35
    threshold.save()
    assert "seuil régional de 35 %" in client.get(alerts_url).content.decode()
