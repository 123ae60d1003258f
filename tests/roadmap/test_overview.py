"""Overview page and printable page of a roadmap."""

import json
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from roadmap import services
from roadmap.enums import Level, StageKind, StageStatus
from roadmap.models import Skill, Stage
from tests.roadmap.factories import (
    AxisFactory,
    FundingLineFactory,
    IndicatorFactory,
    LocalActorFactory,
    MeasurementFactory,
    PartnershipFactory,
    RiskFactory,
    RoadmapFactory,
    SkillFactory,
    TrainingActionFactory,
)


@pytest.fixture
def roadmap(territory):
    return RoadmapFactory(
        basin=territory["grenoble"], period_start=2026, title="Grenoble 2026"
    )


def _populate(roadmap, *, size):
    actor = LocalActorFactory(roadmap=roadmap, name="CCI de Grenoble")
    for index in range(size):
        axis = AxisFactory(roadmap=roadmap)
        SkillFactory(roadmap=roadmap)
        TrainingActionFactory(roadmap=roadmap, axis=axis, progress=50, owner=actor)
        FundingLineFactory(roadmap=roadmap, owner=actor)
        PartnershipFactory(roadmap=roadmap, owner=actor)
        indicator = IndicatorFactory(
            roadmap=roadmap,
            name=f"Indicateur {index}",
            baseline=Decimal("0"),
            target=Decimal("100"),
            target_date=date(2030, 12, 31),
        )
        MeasurementFactory(indicator=indicator, measured_on=date(2026, 6, 1))
        MeasurementFactory(indicator=indicator, measured_on=date(2026, 9, 1))
        RiskFactory(roadmap=roadmap, owner=actor)


def html_count_charts(client, roadmap):
    return client.get(_url(roadmap)).content.decode().count('class="chart"')


def _url(roadmap):
    return reverse("roadmap:overview", kwargs={"pk": roadmap.pk})


@pytest.mark.django_db
def test_roadmap_absolute_url_is_the_overview(roadmap):
    assert roadmap.get_absolute_url() == _url(roadmap)


@pytest.mark.django_db
def test_overview_lists_six_stages_with_status_in_words(client, member, roadmap):
    Stage.objects.filter(roadmap=roadmap, number=StageKind.STRATEGY).update(
        status=StageStatus.VALIDATED
    )
    client.force_login(member)
    response = client.get(_url(roadmap))
    assert response.status_code == 200
    stages = response.context["overview"].stages
    assert [stage.number for stage in stages] == list(StageKind.values)
    html = response.content.decode()
    for stage in stages:
        assert stage.get_absolute_url() in html
    assert (
        '<span class="fr-badge fr-badge--sm fr-badge--success">validée</span>' in html
    )
    assert html.count('fr-badge--new">brouillon</span>') == 5


@pytest.mark.django_db
def test_overview_rolls_up_progress(client, member, roadmap):
    TrainingActionFactory(roadmap=roadmap, progress=60)
    TrainingActionFactory(roadmap=roadmap, progress=20)
    client.force_login(member)
    overview = client.get(_url(roadmap)).context["overview"]
    progress = {stage.number: stage.progress for stage in overview.stages}
    assert progress[StageKind.SKILLS] == 40
    assert overview.progress == round(sum(progress.values()) / 6)


@pytest.mark.django_db
def test_overview_last_change_follows_item_edits(client, member, roadmap, lead):
    stage = roadmap.stages.get(number=StageKind.DIAGNOSTIC)
    later = timezone.now() + timedelta(days=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        services.create_item(
            item=Skill(stage=stage, job_title="Usineur", category="technician"),
            user=lead,
        )
    client.force_login(member)
    overview = client.get(_url(roadmap)).context["overview"]
    last_changes = {s.number: s.last_change for s in overview.stages}
    # The item's write dates its stage, not the others.
    assert last_changes[StageKind.DIAGNOSTIC] == later
    assert last_changes[StageKind.STRATEGY] < later


@pytest.mark.django_db
def test_overview_shows_the_risk_register(client, member, roadmap):
    owner = LocalActorFactory(roadmap=roadmap, name="Région ARA")
    RiskFactory(
        roadmap=roadmap,
        title="Concurrence du bassin voisin",
        likelihood=Level.HIGH,
        impact=Level.CRITICAL,
        mitigation="Coordination interbassins",
        owner=owner,
    )
    client.force_login(member)
    html = client.get(_url(roadmap)).content.decode()
    assert "Concurrence du bassin voisin" in html
    assert "3 — forte" in html
    assert "4 — critique" in html
    assert "12 / 16" in html
    assert "Coordination interbassins" in html
    assert "Région ARA" in html


@pytest.mark.django_db
def test_overview_without_risk_says_so(client, member, roadmap):
    client.force_login(member)
    assert (
        "Aucun risque n'est encore identifié."
        in client.get(_url(roadmap)).content.decode()
    )


@pytest.mark.django_db
def test_overview_has_one_chart_per_indicator(client, member, roadmap):
    indicator = IndicatorFactory(
        roadmap=roadmap,
        name="Emplois industriels",
        baseline=Decimal("10"),
        target=Decimal("200"),
        target_date=date(2030, 12, 31),
    )
    MeasurementFactory(indicator=indicator, measured_on=date(2026, 6, 1), value=25)
    client.force_login(member)
    response = client.get(_url(roadmap))
    charts = response.context["overview"].charts
    # The three seed indicators and ours; only ours has something to draw.
    assert len(charts) == 4
    assert [c.figure is not None for c in charts] == [False, False, False, True]
    assert html_count_charts(client, roadmap) == 2  # progress + ours
    chart = next(c for c in charts if c.indicator == indicator)
    html = response.content.decode()
    assert f'data-figure="{chart.figure_id}"' in html
    assert f'<script id="{chart.figure_id}" type="application/json">' in html
    figure = json.loads(chart.figure)
    target = next(t for t in figure["data"] if t["name"] == "Trajectoire cible")
    assert target["x"] == ["2026-01-01", "2030-12-31"]
    assert target["y"] == [10.0, 200.0]
    measures = next(t for t in figure["data"] if t["name"] == "Mesures")
    assert measures["y"] == [25.0]
    # The same figures as a table, for those who do not see the chart.
    assert "Mesures de l'indicateur « Emplois industriels »" in html
    assert "<td>01/06/2026</td><td>25,00 emplois</td>" in html


@pytest.mark.django_db
def test_overview_loads_vendored_plotly_with_nonce_and_no_inline_script(
    client, member, roadmap
):
    client.force_login(member)
    html = client.get(_url(roadmap)).content.decode()
    assert "vendor/plotly/plotly.min.js" in html
    assert "cdn.plot.ly" not in html
    # Every <script> loads a file or carries JSON data: no inline code.
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert '<script src="/static/vendor/plotly/plotly.min.js" nonce="' in html


@pytest.mark.django_db
def test_overview_lists_coherence_gaps(client, member, roadmap):
    AxisFactory(roadmap=roadmap, title="Hydrogène")
    client.force_login(member)
    html = client.get(_url(roadmap)).content.decode()
    assert "L&#x27;axe « Hydrogène » n&#x27;a aucune action de formation" in html


@pytest.mark.django_db
def test_overview_links_to_exports_and_print(client, member, roadmap):
    client.force_login(member)
    html = client.get(_url(roadmap)).content.decode()
    for name in ("roadmap:print", "roadmap:export_xlsx", "roadmap:export_csv"):
        assert reverse(name, kwargs={"pk": roadmap.pk}) in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 8])
def test_overview_query_count_does_not_grow_with_items(
    client, member, roadmap, size, django_assert_max_num_queries
):
    _populate(roadmap, size=size)
    client.force_login(member)
    cache.clear()
    # Cold cache: 13, with the roadmap's stamp, progress and coherence facts.
    with django_assert_max_num_queries(13):
        response = client.get(_url(roadmap))
    assert response.status_code == 200
    # Warm: the stamp alone instead of the progress and coherence queries.
    with django_assert_max_num_queries(9):
        assert client.get(_url(roadmap)).status_code == 200


@pytest.mark.django_db
def test_outsider_gets_404(client, outsider, roadmap):
    client.force_login(outsider)
    assert client.get(_url(roadmap)).status_code == 404


# --- Printable page ----------------------------------------------------------------


def _print_url(roadmap):
    return reverse("roadmap:print", kwargs={"pk": roadmap.pk})


@pytest.mark.django_db
def test_print_shows_all_stages_items_indicators_and_risks(client, member, roadmap):
    _populate(roadmap, size=1)
    roadmap.stages.filter(number=StageKind.DIAGNOSTIC).update(
        summary="Bassin très industriel."
    )
    client.force_login(member)
    response = client.get(_print_url(roadmap))
    assert response.status_code == 200
    html = response.content.decode()
    for number in StageKind.values:
        assert f'id="print-stage-{number}"' in html
    assert "Bassin très industriel." in html
    for title in (
        "Compétences",
        "Acteurs locaux",
        "Axes stratégiques",
        "Actions de formation",
        "Lignes de financement",
        "Partenariats",
        "Indicateurs",
        "Mesures",
        "Registre des risques",
    ):
        assert title in html
    assert "CCI de Grenoble" in html
    assert "Indicateur 0" in html
    assert "31/12/2030" in html
    assert "100,00" in html


@pytest.mark.django_db
def test_print_page_has_no_script_but_the_layout_ones(client, member, roadmap):
    client.force_login(member)
    html = client.get(_print_url(roadmap)).content.decode()
    assert "plotly" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 6])
def test_print_query_count_does_not_grow_with_items(
    client, member, roadmap, size, django_assert_max_num_queries
):
    _populate(roadmap, size=size)
    client.force_login(member)
    cache.clear()
    # 25 on a cold cache (the roadmap's stamp, progress, coherence facts); one
    # of them lists the figures pinned to stage 1 (print_pins.html).
    with django_assert_max_num_queries(25):
        assert client.get(_print_url(roadmap)).status_code == 200
    with django_assert_max_num_queries(21):
        assert client.get(_print_url(roadmap)).status_code == 200
