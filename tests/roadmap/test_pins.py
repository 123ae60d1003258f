"""Stage 1: figures of the automatic diagnostic pinned to the shared diagnostic."""

import datetime
import io
import re
from html import unescape

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from basins.models import Basin
from diagnostics.metrics import CohortSurvival, SectorIndicator, SizeClass
from diagnostics.models import ImportKind, ImportRun, PopulationCount
from diagnostics.selectors import BasinDiagnostic, Source, SourceRun
from roadmap import pins
from roadmap.enums import AuditAction, StageKind, StageStatus
from roadmap.models import AuditEvent, PinnedFigure, Stage
from roadmap.services.pins import AlreadyPinned, pin_figure
from tests.diagnostics.compute_factories import (
    EstablishmentFactory,
    HiringProjectsFactory,
    ImportRunFactory,
    PopulationCountFactory,
    UnemploymentRateFactory,
)
from tests.roadmap.factories import RoadmapFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


# --- Pure key resolution (no database) -------------------------------------


def _run(kind, file_name, pk=7, **fields):
    return ImportRun(
        pk=pk,
        kind=kind,
        file_name=file_name,
        finished_at=datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC),
        **fields,
    )


def _source(*runs, rows=10, unit="lignes"):
    return Source([SourceRun(run, rows) for run in runs], unit=unit)


def _sector(code, label, employees, quotient, specialised=True, caution=""):
    return SectorIndicator(
        code=code,
        label=label,
        establishments=12,
        employees=employees,
        employees_share=0.25,
        location_quotient=quotient,
        specialised=specialised,
        adjusted_quotient=quotient and quotient * 0.9,
        caution=caution,
    )


def make_diagnostic(**overrides):
    """A BasinDiagnostic built by hand, as the selectors would return it."""
    metal = _sector("25", "Fabrication de produits métalliques", 1500.0, 2.3)
    retail = _sector("47", "Commerce de détail", 900.0, 0.8, specialised=False)
    holding = _sector(
        "64", "Services financiers", 7499.5, 9.2, False, "repose sur 1 établissement"
    )
    values = {
        "basin": Basin(code="8409", name="Grenoble"),
        "sirene_source": _source(
            _run(
                ImportKind.SIRENE,
                "StockEtablissement.csv",
                vintage="stock Sirene au 1er mars 2026",
            ),
            rows=4321,
            unit="établissements actifs du bassin",
        ),
        "last_year": 2025,
        "establishments": 4321,
        "employees": 6000.0,
        "sections": [],
        "divisions": [holding, metal, retail],
        "subclasses": [],
        "specialisations": [metal],
        "size_structure": [
            SizeClass("TPE", 4000, 1200.0, 0.2),
            SizeClass("PME", 300, 3000.0, 0.5),
            SizeClass("ETI", 2, 1800.0, 0.3, "repose sur 2 établissements"),
            SizeClass("GE", 0, 0.0, 0.0),
        ],
        "employers": 321,
        "largest": [],
        "dependence_5": 0.312,
        "dependence_10": 0.45,
        "cohorts": [
            CohortSurvival(2021, 10, 5, 0.5),
            CohortSurvival(2022, 80, 60, 0.75),
            CohortSurvival(2023, 90, 80, 80 / 90),
        ],
        "unemployment": [
            {"quarter": "2023-T2", "rate": 6.8, "average": 7.2},
            {"quarter": "2023-T3", "rate": 7.0, "average": 7.3},
        ],
        "unemployment_source": _source(_run(ImportKind.UNEMPLOYMENT, "chomage.csv")),
        "population": [
            {"year": 2015, "population": 700000},
            {"year": 2021, "population": 712345},
        ],
        "population_source": _source(_run(ImportKind.POPULATION, "pop_ze.csv")),
        "hiring_year": 2024,
        "hiring": [
            _family("A", "Agriculture", 100, 20),
            _family("M", "Industrie", 400, 300),
            _family("", "Non classé", 50, 50),
            _family("S", "Santé", None, None),
            _family("B", "Bâtiment", 200, 150),
        ],
        "hiring_source": _source(_run(ImportKind.BMO, "Base_open_data_BMO_2024.csv")),
        "hiring_totals": {"projects": 750, "difficult": 520, "difficulty_rate": 0.69},
    }
    values.update(overrides)
    return BasinDiagnostic(**values)


def _family(code, label, projects, difficult):
    rate = difficult / projects if projects else None
    return {
        "code": code,
        "label": label,
        "projects": projects,
        "difficult": difficult,
        "seasonal": 0,
        "difficulty_rate": rate,
        "confidential": False,
    }


def test_every_block_gives_pinnable_figures():
    keys = list(pins.pinnable_figures(make_diagnostic()))
    assert keys == [
        "establishments",
        "employees",
        "division:25",
        "division:47",
        "lq:25",
        "size:TPE",
        "size:PME",
        "dependence:top5",
        "dependence:top10",
        "survival:3y",
        "unemployment:last",
        "population:last",
        "hiring:total",
        "bmo:M",
        "bmo:B",
        "bmo:A",
    ]


def test_specialisation_figure_gives_the_location_quotient_and_its_source():
    figure = pins.resolve(make_diagnostic(), "lq:25")
    assert figure.label == (
        "Indice de spécificité de la division 25 — Fabrication de produits métalliques"
    )
    assert figure.value == (
        "LQ 2,30, ajusté 2,07 (1\xa0500 salariés estimés, 12 établissements)"
    )
    assert figure.source == (
        "INSEE, base Sirene des entreprises et de leurs établissements (stock des "
        "établissements), stock Sirene au 1er mars 2026 ; import n° 7 du 02/03/2026 "
        "(fichier « StockEtablissement.csv ») ; 4\xa0321 établissements actifs du "
        "bassin"
    )


def test_figures_that_are_not_findings_cannot_be_pinned():
    diagnostic = make_diagnostic(
        employers=39,
        cohorts=[CohortSurvival(2022, 19, 10, 10 / 19)],
    )
    keys = set(pins.pinnable_figures(diagnostic))
    assert "division:64" not in keys  # one holding
    assert "size:ETI" not in keys  # two establishments
    assert "dependence:top5" in keys  # 39 employers: enough for the top 5
    assert "dependence:top10" not in keys  # ... not for the top 10
    assert "survival:3y" not in keys  # 19 creations


def test_figures_of_a_generated_stock_say_so_in_their_source():
    run = _run(ImportKind.SIRENE, "StockEtablissement_demo.csv", generated=True)
    figure = pins.resolve(make_diagnostic(sirene_source=_source(run)), "lq:25")
    assert figure.source.startswith(
        "Données de démonstration (générées) — générateur de démonstration du projet"
    )


def test_last_unemployment_rate_comes_with_the_zones_average():
    figure = pins.resolve(make_diagnostic(), "unemployment:last")
    assert figure.label == "Taux de chômage localisé au trimestre 2023-T3 (CVS)"
    assert figure.value == "7,0\u202f% (moyenne des zones d'emploi : 7,3\u202f%)"


def test_dependence_size_population_and_survival_figures():
    figures = pins.pinnable_figures(make_diagnostic())
    assert figures["dependence:top5"].value == "31,2\u202f%"
    assert figures["size:PME"].value == "50,0\u202f% (300 établissements)"
    assert figures["population:last"].label == "Population du bassin en 2021"
    assert figures["population:last"].value == "712\xa0345 habitants"
    # Three years before the last complete year (2025): the 2022 cohort.
    assert figures["survival:3y"].label == "Établissements créés en 2022 encore actifs"
    assert figures["survival:3y"].value == "75,0\u202f% (60 sur 80)"


def test_hiring_families_are_ranked_by_difficulty_without_unrated_or_unclassed():
    figures = pins.pinnable_figures(make_diagnostic())
    bmo = [key for key in figures if key.startswith("bmo:")]
    assert bmo == ["bmo:M", "bmo:B", "bmo:A"]
    assert figures["bmo:M"].value == "75\u202f% de 400 projets"
    assert (
        figures["hiring:total"].value == "750 projets, dont 69\u202f% jugés difficiles"
    )


@pytest.mark.parametrize(
    "key",
    [
        "lq:47",
        "lq:64",
        "lq:99",
        "division:64",
        "division:99",
        "bmo:S",
        "bmo:",
        "size:GE",
        "size:ETI",
        "",
        "LQ:25 ",
        "x",
    ],
)
def test_forged_or_absent_keys_resolve_to_nothing(key):
    assert pins.resolve(make_diagnostic(), key) is None


def test_empty_diagnostic_has_no_figure_and_says_why():
    diagnostic = make_diagnostic(
        sirene_source=Source(),
        establishments=0,
        employees=0.0,
        divisions=[],
        specialisations=[],
        size_structure=[],
        dependence_5=None,
        dependence_10=None,
        cohorts=[],
        unemployment=[],
        unemployment_source=Source(),
        population=[],
        population_source=Source(),
        hiring_year=None,
        hiring=[],
        hiring_source=Source(),
        hiring_totals={},
    )
    groups = pins.figure_groups(diagnostic)
    assert pins.pinnable_figures(diagnostic) == {}
    assert [group.slug for group in groups] == [
        "activity",
        "unemployment",
        "population",
        "hiring",
    ]
    assert all(group.missing for group in groups)
    assert groups[0].source == pins.NO_TRACE


def test_source_lists_every_run_of_a_block():
    source = Source(
        [
            SourceRun(_run(ImportKind.BMO, "bmo_2023.csv", pk=3), 40),
            SourceRun(
                _run(ImportKind.BMO, "b.csv", pk=4, vintage="enquête BMO 2024"), 2
            ),
        ],
        unit="métiers",
    )
    assert pins.source_text(source) == (
        "France Travail, enquête Besoins en main-d'œuvre (BMO), millésime non "
        "déclaré ; import n° 3 du 02/03/2026 (fichier « bmo_2023.csv ») ; 40 métiers "
        "; France Travail, enquête Besoins en main-d'œuvre (BMO), enquête BMO 2024 ; "
        "import n° 4 du 02/03/2026 (fichier « b.csv ») ; 2 métiers"
    )


def test_a_long_source_is_cut_to_the_pin_s_field():
    runs = [SourceRun(_run(ImportKind.BMO, "x" * 80, pk=n), 1) for n in range(9)]
    text = pins.source_text(Source(runs))
    assert len(text) == pins.SOURCE_MAX_LENGTH
    assert text.endswith("…")


# --- Database fixtures ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _empty_cache():
    # SIRENE aggregates are cached per basin id, and ids are reused on SQLite.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public_data(territory):
    """Grenoble: metalworking over-represented, unemployment, population, BMO."""
    grenoble = territory["grenoble"]
    sirene = ImportRunFactory(file_name="StockEtablissement_utf8.csv")
    for _ in range(3):
        EstablishmentFactory(basin=grenoble, headcount_band="22", import_run=sirene)
    EstablishmentFactory(
        basin=grenoble,
        headcount_band="12",
        naf_code="47.11D",
        naf_section="G",
        import_run=sirene,
    )
    for _ in range(3):
        EstablishmentFactory(
            basin=territory["oyonnax"],
            headcount_band="22",
            naf_code="47.11D",
            naf_section="G",
            import_run=sirene,
        )
    unemployment = ImportRunFactory(
        kind=ImportKind.UNEMPLOYMENT, file_name="chomage-zone-t1-2003-t3-2023.csv"
    )
    UnemploymentRateFactory(basin=grenoble, import_run=unemployment, rate="6.4")
    population = ImportRunFactory(kind=ImportKind.POPULATION, file_name="pop_ze.csv")
    PopulationCountFactory(
        basin=grenoble, import_run=population, year=2021, population=712345
    )
    bmo = ImportRunFactory(kind=ImportKind.BMO, file_name="Base_open_data_BMO_2024.csv")
    HiringProjectsFactory(
        basin=grenoble,
        import_run=bmo,
        projects=400,
        difficult=250,
        family_code="M",
        family_label="Métiers de l'industrie",
    )
    return grenoble


@pytest.fixture
def roadmap(public_data):
    return RoadmapFactory(basin=public_data)


@pytest.fixture
def stage(roadmap):
    return roadmap.stages.get(number=StageKind.DIAGNOSTIC)


def stage_url(roadmap, number=1):
    return reverse("roadmap:stage", kwargs={"roadmap_pk": roadmap.pk, "number": number})


def pin_url(roadmap):
    return reverse("roadmap:pin_create", kwargs={"roadmap_pk": roadmap.pk})


def unpin_url(pinned):
    return reverse(
        "roadmap:pin_delete",
        kwargs={"roadmap_pk": pinned.stage.roadmap_id, "pk": pinned.pk},
    )


def panel_url(roadmap):
    return reverse("roadmap:pins_panel", kwargs={"roadmap_pk": roadmap.pk})


def text(response):
    """The response's HTML with entities decoded (apostrophes are escaped)."""
    return unescape(response.content.decode())


def pin_events(stage, action):
    return AuditEvent.objects.filter(
        stage=stage, model_label="roadmap.pinnedfigure", action=action
    )


# --- Service --------------------------------------------------------------------


@pytest.mark.django_db
def test_pin_freezes_the_current_figure_and_records_it(stage, member):
    pinned = pin_figure(
        stage=stage, key="lq:25", user=member, note="Notre socle industriel"
    )
    pinned.refresh_from_db()
    assert pinned.label == (
        "Indice de spécificité de la division 25 — Fabrication de produits "
        "métalliques, à l’exception des machines et des équipements"
    )
    # LQ = (448.5 / 483) / (448.5 / 931.5) = 1.928...; adjusted: 1.657
    assert (
        pinned.value == "LQ 1,93, ajusté 1,66 (448 salariés estimés, 3 établissements)"
    )
    assert "« StockEtablissement_utf8.csv »" in pinned.source
    assert pinned.pinned_by == member
    assert pinned.note == "Notre socle industriel"
    event = pin_events(stage, AuditAction.CREATE).get()
    assert event.user == member
    assert event.object_id == str(pinned.pk)
    assert event.changes["value"] == ["", pinned.value]
    assert event.changes["key"] == ["", "lq:25"]


@pytest.mark.django_db
def test_a_pin_of_generated_data_carries_the_label_into_the_exports(
    client, member, stage, roadmap
):
    ImportRun.objects.filter(kind=ImportKind.SIRENE).update(generated=True)
    pin_figure(stage=stage, key="lq:25", user=member)
    pin_figure(stage=stage, key="population:last", user=member)
    client.force_login(member)
    label = "Données de démonstration (générées)"

    html = text(client.get(stage_url(roadmap)))
    assert html.count(label) >= 2  # the SIRENE groups and the pinned figure
    csv_text = client.get(
        reverse("roadmap:export_csv", kwargs={"pk": roadmap.pk})
    ).content.decode()
    rows = [line for line in csv_text.splitlines() if "Indice de spécificité" in line]
    assert len(rows) == 1
    assert label in rows[0]
    population = [line for line in csv_text.splitlines() if "Population" in line]
    assert population
    assert all(label not in line for line in population)
    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(
                reverse("roadmap:export_xlsx", kwargs={"pk": roadmap.pk})
            ).content
        )
    )
    sources = [row[2] for row in book["Chiffres épinglés"].iter_rows(values_only=True)]
    assert any(str(source).startswith(label) for source in sources)


@pytest.mark.django_db
def test_a_pin_keeps_its_value_after_a_new_import(client, member, stage, roadmap):
    pin_figure(stage=stage, key="population:last", user=member)
    PopulationCount.objects.filter(basin=roadmap.basin).update(population=720000)
    client.force_login(member)
    html = client.get(stage_url(roadmap)).content.decode()
    pinned = PinnedFigure.objects.get()
    assert pinned.value == "712\xa0345 habitants"
    assert "Valeur actuelle du diagnostic : 720\xa0000 habitants" in html


@pytest.mark.django_db
def test_the_same_figure_cannot_be_pinned_twice(stage, member, lead):
    pin_figure(stage=stage, key="population:last", user=member)
    with pytest.raises(AlreadyPinned, match="est déjà épinglé"):
        pin_figure(stage=stage, key="population:last", user=lead)
    assert PinnedFigure.objects.count() == 1
    assert pin_events(stage, AuditAction.CREATE).count() == 1


# --- Pin and unpin through the views ---------------------------------------------


@pytest.mark.django_db
def test_member_pins_with_htmx_and_gets_the_updated_panel(client, member, roadmap):
    client.force_login(member)
    response = client.post(
        pin_url(roadmap), {"key": "unemployment:last", "note": "À suivre"}, **HTMX
    )
    assert response.status_code == 200
    assert "roadmap-changed" in response["HX-Trigger"]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="stage-pins">')
    pinned = PinnedFigure.objects.get()
    assert f'id="pin-{pinned.pk}"' in html
    assert "6,4\u202f%" in html
    assert "À suivre" in html


@pytest.mark.django_db
def test_pin_without_javascript_redirects_to_the_stage(client, lead, roadmap):
    client.force_login(lead)
    response = client.post(pin_url(roadmap), {"key": "population:last"})
    assert response.status_code == 302
    assert response["Location"] == stage_url(roadmap) + "#stage-pins"
    page = client.get(response["Location"]).content.decode()
    assert "a été épinglé au diagnostic partagé" in page
    assert "712\xa0345 habitants" in page


@pytest.mark.django_db
def test_second_pin_of_a_figure_is_refused_in_french(client, member, lead, roadmap):
    client.force_login(member)
    client.post(pin_url(roadmap), {"key": "population:last"}, **HTMX)
    client.force_login(lead)
    response = client.post(pin_url(roadmap), {"key": "population:last"}, **HTMX)
    assert response.status_code == 409
    assert "« Population du bassin en 2021 » est déjà épinglé" in (
        response.content.decode()
    )
    assert PinnedFigure.objects.count() == 1


@pytest.mark.django_db
def test_forged_key_is_refused_and_nothing_is_written(client, member, roadmap, stage):
    client.force_login(member)
    response = client.post(
        pin_url(roadmap),
        {"key": "lq:99", "label": "Chiffre inventé", "value": "LQ 9,99"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "ne figure pas dans le diagnostic automatique" in response.content.decode()
    assert not PinnedFigure.objects.exists()
    assert not pin_events(stage, AuditAction.CREATE).exists()


@pytest.mark.django_db
def test_label_and_value_sent_by_the_browser_are_ignored(client, member, roadmap):
    client.force_login(member)
    client.post(
        pin_url(roadmap),
        {"key": "population:last", "label": "Faux", "value": "1 habitant"},
        **HTMX,
    )
    pinned = PinnedFigure.objects.get()
    assert (pinned.label, pinned.value) == (
        "Population du bassin en 2021",
        "712\xa0345 habitants",
    )


@pytest.mark.django_db
def test_missing_key_gets_a_french_error(client, member, roadmap):
    client.force_login(member)
    response = client.post(pin_url(roadmap), {"note": "x"}, **HTMX)
    assert response.status_code == 422
    assert "Choisissez un chiffre" in response.content.decode()


@pytest.mark.django_db
def test_unpin_removes_the_pin_and_records_it(client, member, lead, roadmap, stage):
    pinned = pin_figure(stage=stage, key="employees", user=member)
    client.force_login(lead)
    response = client.post(unpin_url(pinned), {"version": pinned.version}, **HTMX)
    assert response.status_code == 200
    assert not PinnedFigure.objects.exists()
    event = pin_events(stage, AuditAction.DELETE).get()
    assert event.user == lead
    assert event.changes["value"] == [pinned.value, ""]
    assert "Aucun chiffre épinglé pour l'instant." in response.content.decode()


@pytest.mark.django_db
def test_unpin_with_a_stale_version_is_a_conflict(client, member, roadmap, stage):
    pinned = pin_figure(stage=stage, key="employees", user=member)
    PinnedFigure.objects.filter(pk=pinned.pk).update(version=2)
    client.force_login(member)
    response = client.post(unpin_url(pinned), {"version": 1}, **HTMX)
    assert response.status_code == 409
    assert "rien n'a été retiré" in text(response)
    assert PinnedFigure.objects.filter(pk=pinned.pk).exists()
    assert not pin_events(stage, AuditAction.DELETE).exists()


@pytest.mark.django_db
def test_unpin_of_a_pin_already_removed_names_who_removed_it(
    client, member, lead, roadmap, stage
):
    lead.first_name, lead.last_name = "Léa", "Martin"
    lead.save()
    pinned = pin_figure(stage=stage, key="employees", user=member)
    client.force_login(lead)
    client.post(unpin_url(pinned), {"version": 1}, **HTMX)
    client.force_login(member)
    response = client.post(unpin_url(pinned), {"version": 1}, **HTMX)
    assert response.status_code == 409
    assert "Léa Martin a retiré « Salariés estimés" in response.content.decode()


@pytest.mark.django_db
def test_unpin_without_version_is_refused(client, member, roadmap, stage):
    pinned = pin_figure(stage=stage, key="employees", user=member)
    client.force_login(member)
    response = client.post(unpin_url(pinned), {}, **HTMX)
    assert response.status_code == 422
    assert PinnedFigure.objects.exists()


# --- Permissions ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reviewer", ["department_reviewer", "region_reviewer"])
def test_reviewers_may_not_pin(client, request, roadmap, reviewer):
    client.force_login(request.getfixturevalue(reviewer))
    response = client.post(pin_url(roadmap), {"key": "population:last"})
    assert response.status_code == 403
    assert "Seuls les membres du comité" in response.content.decode()
    assert not PinnedFigure.objects.exists()


@pytest.mark.django_db
def test_reviewers_may_not_unpin(client, department_reviewer, member, stage):
    pinned = pin_figure(stage=stage, key="employees", user=member)
    client.force_login(department_reviewer)
    response = client.post(unpin_url(pinned), {"version": 1})
    assert response.status_code == 403
    assert PinnedFigure.objects.exists()


@pytest.mark.django_db
def test_committee_of_another_basin_gets_404(client, member, territory):
    PopulationCountFactory(basin=territory["oyonnax"])
    other = RoadmapFactory(basin=territory["oyonnax"])
    client.force_login(member)
    assert client.post(pin_url(other), {"key": "population:last"}).status_code == 404
    assert client.get(panel_url(other)).status_code == 404
    assert not PinnedFigure.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [StageStatus.SUBMITTED, StageStatus.VALIDATED])
def test_pins_are_locked_once_the_stage_is_submitted(
    client, member, roadmap, stage, status
):
    pinned = pin_figure(stage=stage, key="employees", user=member)
    Stage.objects.filter(pk=stage.pk).update(status=status)
    client.force_login(member)
    response = client.post(pin_url(roadmap), {"key": "population:last"})
    assert response.status_code == 403
    assert "le comité ne peut plus la modifier" in response.content.decode()
    response = client.post(unpin_url(pinned), {"version": 1})
    assert response.status_code == 403
    assert PinnedFigure.objects.count() == 1
    # The page shows the pins, without pin or remove buttons.
    html = client.get(stage_url(roadmap)).content.decode()
    assert f'id="pin-{pinned.pk}"' in html
    assert 'class="pin-form"' not in html
    assert ">Retirer<" not in html


@pytest.mark.django_db
def test_returned_stage_may_be_pinned_again(client, member, roadmap, stage):
    Stage.objects.filter(pk=stage.pk).update(status=StageStatus.RETURNED)
    client.force_login(member)
    response = client.post(pin_url(roadmap), {"key": "population:last"}, **HTMX)
    assert response.status_code == 200
    assert PinnedFigure.objects.count() == 1


# --- Stage page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_stage_1_shows_the_diagnostic_with_pin_buttons(client, member, roadmap):
    client.force_login(member)
    html = text(client.get(stage_url(roadmap)))
    assert ">Diagnostic automatique (données publiques)</h2>" in html
    for title in (
        "Tissu économique",
        "Spécialisations sectorielles",
        "Taille des établissements et dépendance",
        "Chômage",
        "Population",
        "Besoins en main-d'œuvre 2024",
    ):
        assert f">{title}</h3>" in html
    for file_name in (
        "StockEtablissement_utf8.csv",
        "chomage-zone-t1-2003-t3-2023.csv",
        "pop_ze.csv",
        "Base_open_data_BMO_2024.csv",
    ):
        assert f"« {file_name} »" in html
    assert 'id="figure-lq-25"' in html
    assert 'name="key" value="lq:25"' in html
    assert "Épingler au diagnostic partagé" in html
    assert "Aucun chiffre épinglé pour l'instant." in html


@pytest.mark.django_db
def test_reviewer_sees_figures_and_pins_but_no_button(
    client, member, department_reviewer, roadmap, stage
):
    pinned = pin_figure(stage=stage, key="lq:25", user=member, note="Atout")
    client.force_login(department_reviewer)
    html = client.get(stage_url(roadmap)).content.decode()
    assert 'id="figure-lq-25"' in html
    assert f'id="pin-{pinned.pk}"' in html
    assert "Atout" in html
    assert 'class="pin-form"' not in html
    assert ">Retirer<" not in html
    assert reverse("roadmap:pin_create", kwargs={"roadmap_pk": roadmap.pk}) not in html


@pytest.mark.django_db
def test_pinned_figure_shows_label_value_source_author_and_note(
    client, member, lead, roadmap, stage
):
    member.first_name, member.last_name = "Jean", "Durand"
    member.save()
    pinned = pin_figure(stage=stage, key="hiring:total", user=member, note="Tension")
    client.force_login(lead)
    html = client.get(stage_url(roadmap)).content.decode()
    row = html[html.index(f'id="pin-{pinned.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Projets de recrutement (enquête BMO 2024)" in row
    assert "400 projets, dont 62\u202f% jugés difficiles" in row
    assert "« Base_open_data_BMO_2024.csv »" in row
    run = ImportRun.objects.get(kind=ImportKind.BMO)
    # The frozen source names the import: the page links to it.
    assert (
        f'<a class="fr-link fr-text--xs" href="{run.get_absolute_url()}">'
        f"import n° {run.pk}</a>"
    ) in row
    assert "Jean Durand" in row
    assert timezone.localtime(pinned.created_at).strftime("%d/%m/%Y") in row
    assert "Tension" in row
    assert ">Retirer<" in row
    # The pinned figure's button becomes a badge.
    assert 'name="key" value="hiring:total"' not in html


@pytest.mark.django_db
def test_pins_of_a_generated_stock_are_labelled_on_the_page_and_in_exports(
    client, member, roadmap, stage
):
    ImportRun.objects.filter(kind=ImportKind.SIRENE).update(generated=True)
    pinned = pin_figure(stage=stage, key="lq:25", user=member)
    assert pinned.source.startswith("Données de démonstration (générées) — ")
    client.force_login(member)
    html = client.get(stage_url(roadmap)).content.decode()
    row = html[html.index(f'id="pin-{pinned.pk}"') :]
    assert "Données de démonstration (générées)" in row[: row.index("</tr>")]
    csv_text = client.get(
        reverse("roadmap:export_csv", kwargs={"pk": roadmap.pk})
    ).content.decode("utf-8-sig")
    assert "# Chiffres épinglés" in csv_text
    assert "Données de démonstration (générées) — " in csv_text


@pytest.mark.django_db
def test_figure_already_pinned_shows_a_badge_instead_of_the_button(
    client, member, roadmap, stage
):
    pin_figure(stage=stage, key="lq:25", user=member)
    client.force_login(member)
    html = client.get(stage_url(roadmap)).content.decode()
    row = html[html.index('id="figure-lq-25"') :]
    row = row[: row.index("</tr>")]
    assert "Épinglé</p>" in row
    assert "<form" not in row


@pytest.mark.django_db
def test_basin_without_public_data_gets_the_empty_state(client, member, territory):
    roadmap = RoadmapFactory(basin=territory["grenoble"])
    client.force_login(member)
    html = text(client.get(stage_url(roadmap)))
    assert "Aucune donnée publique importée pour ce bassin :" in html
    assert "le stock d'établissements SIRENE n'a pas encore été importé" in html
    assert 'class="pin-form"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("number", [2, 6])
def test_other_stages_have_no_diagnostic_panel(client, member, roadmap, number):
    client.force_login(member)
    html = client.get(stage_url(roadmap, number)).content.decode()
    assert "Diagnostic automatique" not in html
    assert 'id="stage-pins"' not in html


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_stage_1_queries_do_not_grow_with_pins(
    client, member, lead, roadmap, stage, django_assert_max_num_queries
):
    client.force_login(member)
    pin_figure(stage=stage, key="employees", user=member)
    _queries(client, stage_url(roadmap))  # Warms the SIRENE aggregates cache.
    # Each pin records an event, so the stage progress cached under the
    # roadmap's stamp is read again by both measured requests.
    pin_figure(stage=stage, key="lq:25", user=lead)
    few = _queries(client, stage_url(roadmap))
    for key in ("population:last", "unemployment:last", "hiring:total"):
        pin_figure(stage=stage, key=key, user=lead)
    many = _queries(client, stage_url(roadmap))
    assert many == few
    with django_assert_max_num_queries(32):
        client.get(stage_url(roadmap))


@pytest.mark.django_db
def test_panel_htmx_partial_equals_the_full_render(client, member, roadmap, stage):
    pin_figure(stage=stage, key="lq:25", user=member, note="Atout")
    client.force_login(member)
    partial = client.get(panel_url(roadmap), **HTMX).content.decode()
    full = client.get(panel_url(roadmap)).content.decode()
    assert "<html" in full
    assert "<html" not in partial
    partial = CSRF.sub("", partial).strip()
    full = CSRF.sub("", full)
    assert partial.startswith('<div id="stage-pins">')
    assert partial in full
    # The stage page itself renders the very same panel.
    page = CSRF.sub("", client.get(stage_url(roadmap)).content.decode())
    assert partial in page


@pytest.mark.django_db
def test_print_page_lists_the_pins(client, member, roadmap, stage):
    pin_figure(stage=stage, key="population:last", user=member, note="Stable")
    client.force_login(member)
    html = client.get(reverse("roadmap:print", kwargs={"pk": roadmap.pk})).content
    html = html.decode()
    section = html[html.index('id="print-stage-1"') : html.index('id="print-stage-2"')]
    assert "Chiffres épinglés au diagnostic partagé" in section
    assert "712\xa0345 habitants" in section
    assert "« pop_ze.csv »" in section
    assert "Stable" in section


@pytest.mark.django_db
def test_refused_pin_without_javascript_shows_the_stage_page_with_the_error(
    client, member, roadmap
):
    client.force_login(member)
    client.post(pin_url(roadmap), {"key": "population:last"})
    response = client.post(pin_url(roadmap), {"key": "population:last"})
    assert response.status_code == 409
    page = text(response)
    assert "<html" in page
    assert 'id="pin-alert"' in page
    assert "« Population du bassin en 2021 » est déjà épinglé" in page
