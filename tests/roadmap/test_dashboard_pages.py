"""Dashboard sub-pages: alerts, review queue, indicators, exports; /sante/."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import (
    NafDivision,
    NafSection,
    PopulationCount,
    UnemploymentRate,
)
from roadmap.enums import IndicatorKind, StageKind, StageStatus
from roadmap.models import Indicator, Stage
from tests.basins.factories import BasinFactory, CommuneFactory
from tests.roadmap.factories import AxisFactory, MeasurementFactory, RoadmapFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roadmaps(territory):
    return {
        name: RoadmapFactory(basin=territory[name], period_start=2026)
        for name in ("grenoble", "oyonnax", "chateauroux", "cross")
    }


@pytest.fixture
def metal(db):
    section, _ = NafSection.objects.get_or_create(
        code="C", defaults={"label": "Industrie manufacturière"}
    )
    division, _ = NafDivision.objects.get_or_create(
        code="25",
        defaults={
            "label": "Fabrication de produits métalliques, à l'exception des "
            "machines et des équipements",
            "section": section,
        },
    )
    return division


def aim(roadmap, division):
    axis = AxisFactory(roadmap=roadmap, title=f"Métallurgie {roadmap.basin.name}")
    axis.naf_divisions.add(division)
    return axis


# --- Alerts ---


def alerts_html(client, query=""):
    return client.get(reverse("roadmap:dashboard_alerts") + query).content.decode()


def test_competition_alert_names_the_other_basin_and_links_to_the_axes(
    client, region_reviewer, roadmaps, metal
):
    aim(roadmaps["grenoble"], metal)
    aim(roadmaps["oyonnax"], metal)
    aim(roadmaps["chateauroux"], metal)  # another region: no competition
    client.force_login(region_reviewer)
    html = alerts_html(client, "?kind=competition")
    assert html.count("vise la division NAF 25") == 2
    assert "Le bassin Grenoble vise la division NAF 25" in html
    assert "comme Oyonnax dans la même région (Auvergne-Rhône-Alpes)" in html
    strategy = roadmaps["grenoble"].stages.get(number=StageKind.STRATEGY)
    assert f'href="{strategy.get_absolute_url()}"' in html
    assert "Châteauroux" not in html


def test_department_reviewer_sees_only_alerts_of_the_department_basins(
    client, department_reviewer, roadmaps, metal
):
    aim(roadmaps["grenoble"], metal)
    aim(roadmaps["oyonnax"], metal)
    client.force_login(department_reviewer)
    html = alerts_html(client, "?kind=competition")
    assert "Le bassin Grenoble vise" in html
    assert "Le bassin Oyonnax vise" not in html


def test_alerts_filtered_by_basin(client, admin_user, roadmaps):
    for roadmap in roadmaps.values():
        Stage.objects.filter(roadmap=roadmap, number=2).update(
            status=StageStatus.SUBMITTED, submitted_with_gaps=True
        )
    client.force_login(admin_user)
    html = alerts_html(client, "?kind=haste&basin=8425")
    assert html.count("a été soumise alors que") == 1
    assert "bassin Oyonnax" in html


def test_invalid_basin_code_gets_a_french_message(client, admin_user, roadmaps):
    client.force_login(admin_user)
    html = alerts_html(client, "?basin=84a9")
    assert "compte exactement 4 chiffres." in html
    assert "fr-input-group--error" in html


def test_stale_indicator_alert_links_to_monitoring(client, admin_user, roadmaps):
    client.force_login(admin_user)
    html = alerts_html(client, "?kind=stale_indicator&basin=8409")
    # The three seed indicators have no measurement yet.
    assert html.count("aucune mesure saisie") == 3
    monitoring = roadmaps["grenoble"].stages.get(number=StageKind.MONITORING)
    assert f'href="{monitoring.get_absolute_url()}"' in html


def test_alert_htmx_fragment_is_the_full_page_list(client, admin_user, roadmaps):
    client.force_login(admin_user)
    full = alerts_html(client, "?kind=stale_indicator")
    fragment = (
        client.get(
            reverse("roadmap:dashboard_alerts") + "?kind=stale_indicator",
            headers={"HX-Request": "true"},
        )
        .content.decode()
        .strip()
    )
    assert fragment.startswith('<div id="alerts"')
    assert fragment in full


# --- Review queue ---


def test_queue_lists_submitted_stages_oldest_first_with_waiting_time(
    client, department_reviewer, roadmaps
):
    now = timezone.now()
    for name, number, days in (
        ("grenoble", 2, 3),
        ("cross", 5, 12),
        ("oyonnax", 1, 40),
    ):
        Stage.objects.filter(roadmap=roadmaps[name], number=number).update(
            status=StageStatus.SUBMITTED, submitted_at=now - timedelta(days=days)
        )
    client.force_login(department_reviewer)
    html = client.get(reverse("roadmap:dashboard_queue")).content.decode()
    assert html.index("Bassin mixte (8499)") < html.index("Grenoble (8409)")
    assert "12 jours" in html
    assert "3 jours" in html
    assert "Oyonnax" not in html  # Ain: not this reviewer's department
    assert "2 étapes soumises" in html


def test_empty_queue_says_so(client, region_reviewer, roadmaps):
    client.force_login(region_reviewer)
    html = client.get(reverse("roadmap:dashboard_queue")).content.decode()
    assert "Aucune étape n'attend votre examen." in html


# --- Indicators ---


def measure(roadmap, kind, value, *, target=None, on=date(2026, 6, 30)):
    indicator = Indicator.objects.get(stage__roadmap=roadmap, kind=kind)
    if target is not None:
        Indicator.objects.filter(pk=indicator.pk).update(target=target)
    MeasurementFactory(indicator=indicator, measured_on=on, value=Decimal(value))


def test_indicators_are_normalised_per_thousand_inhabitants(
    client, region_reviewer, roadmaps, territory
):
    CommuneFactory(code="38185", basin=territory["grenoble"], population=400_000)
    CommuneFactory(code="01283", basin=territory["oyonnax"], population=20_000)
    measure(roadmaps["grenoble"], IndicatorKind.JOBS_CREATED, "300", target=600)
    measure(
        roadmaps["grenoble"], IndicatorKind.JOBS_CREATED, "100", on=date(2025, 6, 30)
    )
    measure(roadmaps["oyonnax"], IndicatorKind.JOBS_CREATED, "30", target=40)
    measure(roadmaps["oyonnax"], IndicatorKind.LOCAL_PURCHASING, "42.5")
    client.force_login(region_reviewer)
    html = client.get(reverse("roadmap:dashboard_indicators")).content.decode()
    # Grenoble: 300 / 400 000 inhabitants; Oyonnax: 30 / 20 000.
    assert "0,75" in html
    assert "1,50" in html
    assert "(50 % de la cible)" in html
    assert "42,5 %" in html
    assert 'data-figure="dashboard-jobs-figure"' in html
    assert "vendor/plotly/plotly.min.js" in html
    # No unemployment imported: no scatter, and the page says why.
    assert 'id="scatter-empty"' in html


def test_insee_population_count_wins_over_communes(client, admin_user, territory):
    grenoble = territory["grenoble"]
    CommuneFactory(code="38185", basin=grenoble, population=1_000)
    PopulationCount.objects.create(basin=grenoble, year=2020, population=500_000)
    client.force_login(admin_user)
    html = client.get(reverse("roadmap:dashboard_indicators")).content.decode()
    assert "500\u00a0000" in html or "500 000" in html


def test_unemployment_last_quarter_and_one_year_change(client, admin_user, territory):
    grenoble = territory["grenoble"]
    CommuneFactory(code="38185", basin=grenoble, population=100_000)
    roadmap = RoadmapFactory(basin=grenoble, period_start=2026)
    measure(roadmap, IndicatorKind.JOBS_CREATED, "50", target=100)
    for quarter, start, rate in (
        ("2022-T3", date(2022, 7, 1), "7.1"),
        ("2023-T2", date(2023, 4, 1), "6.6"),
        ("2023-T3", date(2023, 7, 1), "6.4"),
    ):
        UnemploymentRate.objects.create(
            basin=grenoble, quarter=quarter, period_start=start, rate=Decimal(rate)
        )
    client.force_login(admin_user)
    html = client.get(reverse("roadmap:dashboard_indicators")).content.decode()
    assert "6,4 % au 2023-T3 (-0,7 point)" in html
    assert 'data-figure="dashboard-scatter-figure"' in html


def test_indicators_filtered_by_department(client, region_reviewer, roadmaps):
    client.force_login(region_reviewer)
    html = client.get(
        reverse("roadmap:dashboard_indicators") + "?department=38"
    ).content.decode()
    assert "Grenoble" in html
    assert "Oyonnax" not in html


# --- Exports ---


def test_matrix_csv_is_formula_safe(client, admin_user, territory):
    basin = BasinFactory(
        code="7777", name='=HYPERLINK("http://x")', departments=[territory["isere"]]
    )
    RoadmapFactory(basin=basin, period_start=2026, title="+cmd|' /C calc'!A0")
    client.force_login(admin_user)
    response = client.get(reverse("roadmap:dashboard_matrix_csv") + "?sort=nom")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "matrice-des-etapes-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows[0][0] == "\ufeffCode"
    row = next(r for r in rows if r[0] == "7777")
    assert row[1] == '\'=HYPERLINK("http://x")'
    assert row[3] == "'+cmd|' /C calc'!A0"
    assert row[6] == "brouillon"


def test_matrix_xlsx_follows_the_filters(client, region_reviewer, roadmaps):
    Stage.objects.filter(roadmap=roadmaps["oyonnax"], number=1).update(
        status=StageStatus.SUBMITTED, submitted_at=timezone.now()
    )
    client.force_login(region_reviewer)
    response = client.get(reverse("roadmap:dashboard_matrix_xlsx") + "?waiting=on")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Bassin d'emploi")
    assert [row[1] for row in rows[1:]] == ["Oyonnax"]
    assert rows[1][6] == "soumise à la préfecture"


def test_indicators_csv_lists_the_reviewer_basins(
    client, department_reviewer, roadmaps
):
    measure(roadmaps["grenoble"], IndicatorKind.JOBS_CREATED, "12", target=100)
    client.force_login(department_reviewer)
    response = client.get(reverse("roadmap:dashboard_indicators_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert [row[1] for row in rows[1:]] == ["Bassin mixte", "Grenoble"]
    grenoble = rows[2]
    assert float(grenoble[4].replace(",", ".")) == 12
    assert grenoble[7] == "12,0"


# --- Health check ---


def test_health_check_answers_anonymous_users_with_one_query(
    client, db, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_health_check_refuses_post(client, db):
    assert client.post(reverse("health")).status_code == 405
