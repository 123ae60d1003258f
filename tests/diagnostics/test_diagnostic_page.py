"""The basin diagnostic page."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from diagnostics.models import ImportKind
from tests.diagnostics.compute_factories import (
    EstablishmentFactory,
    HiringProjectsFactory,
    ImportRunFactory,
    PopulationCountFactory,
    UnemploymentRateFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def url(basin):
    return reverse("diagnostics:basin_diagnostic", kwargs={"code": basin.code})


@pytest.fixture
def imported(territory):
    grenoble = territory["grenoble"]
    sirene = ImportRunFactory(
        file_name="StockEtablissement_utf8.csv",
        vintage="stock Sirene au 1er janvier 2026",
    )
    # Grenoble: three metalworking sites, none above 85 % of the division.
    for band, name in (("22", "FONDERIE ALPINE"), ("21", "FORGES"), ("12", "[ND]")):
        EstablishmentFactory(
            basin=grenoble, headcount_band=band, name=name, import_run=sirene
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
        kind=ImportKind.UNEMPLOYMENT,
        file_name="chomage-zone-t1-2003-t3-2023.csv",
        vintage="trimestres 2003-T1 à 2023-T3",
    )
    UnemploymentRateFactory(basin=grenoble, import_run=unemployment, rate="6.4")
    population = ImportRunFactory(kind=ImportKind.POPULATION, file_name="pop_ze.csv")
    PopulationCountFactory(basin=grenoble, import_run=population, population=712345)
    bmo = ImportRunFactory(kind=ImportKind.BMO, file_name="Base_open_data_BMO_2024.csv")
    HiringProjectsFactory(basin=grenoble, import_run=bmo, projects=400, difficult=250)
    return {"basin": grenoble, "sirene": sirene, "unemployment": unemployment}


def test_member_sees_every_block_with_its_source(client, member, imported):
    client.force_login(member)
    response = client.get(url(imported["basin"]))
    assert response.status_code == 200
    html = response.content.decode()
    for title in (
        "Tissu économique",
        "Spécificités sectorielles",
        "Taille des établissements et dépendance",
        "Créations et pérennité",
        "Chômage",
        "Population",
        "Besoins en main-d'œuvre 2024",
    ):
        assert f">{title}</h2>" in html
    for file_name in (
        "StockEtablissement_utf8.csv",
        "chomage-zone-t1-2003-t3-2023.csv",
        "pop_ze.csv",
        "Base_open_data_BMO_2024.csv",
    ):
        assert f"« {file_name} »" in html
    assert "n'ont pas encore été import" not in html


def test_page_shows_the_figures_and_tables(client, member, imported):
    client.force_login(member)
    html = client.get(url(imported["basin"])).content.decode()
    assert "FONDERIE ALPINE" in html
    assert "Non diffusible" in html  # "[ND]" names are not shown raw
    assert "712\xa0345" in html
    assert "62\u202f%" in html  # 250 / 400 hiring projects deemed difficult
    for block in ("sections", "divisions", "quotients", "sizes", "cohorts"):
        assert f'data-figure="diag-8409-{block}"' in html
        assert f'<script id="diag-8409-{block}" type="application/json">' in html
    # Grenoble's only division weighs 100 % of its jobs, 37 % of France's.
    assert "Spécialisation" in html


def test_source_line_gives_producer_vintage_import_and_rows(client, member, imported):
    client.force_login(member)
    html = client.get(url(imported["basin"])).content.decode()
    sirene = imported["sirene"]
    link = f'<a class="fr-link fr-text--xs" href="{sirene.get_absolute_url()}">'
    assert f"{link}import n° {sirene.pk}</a>" in html
    assert "INSEE, base Sirene des entreprises" in html
    assert "stock Sirene au 1er janvier 2026" in html
    assert "3 établissements actifs du bassin" in html
    assert "trimestres 2003-T1 à 2023-T3" in html
    assert "1 valeurs trimestrielles" in html
    assert "millésime non déclaré" in html  # the population and BMO runs
    assert html.count(f'href="{reverse("diagnostics:methods")}"') >= 8


def test_source_keeps_naming_the_import_the_rows_come_from(client, member, imported):
    # An unchanged re-import, a dry run and a failed run: none wrote a row.
    unchanged = ImportRunFactory(file_name="StockEtablissement_fevrier.csv")
    ImportRunFactory(file_name="simulation.csv", dry_run=True)
    ImportRunFactory(file_name="echec.csv", status="FAILED")
    client.force_login(member)
    html = client.get(url(imported["basin"])).content.decode()
    sirene = imported["sirene"]
    assert f"import n° {sirene.pk}</a>" in html
    assert "« StockEtablissement_utf8.csv »" in html
    assert f"import n° {unchanged.pk}</a> du" in html
    assert "n'a modifié aucune de ces lignes" in html
    assert "simulation.csv" not in html
    assert "echec.csv" not in html


def test_generated_stock_is_labelled_on_the_page_and_its_charts(
    client, member, imported
):
    from diagnostics.models import ImportRun

    ImportRun.objects.filter(pk=imported["sirene"].pk).update(generated=True)
    client.force_login(member)
    html = client.get(url(imported["basin"])).content.decode()
    assert 'id="diag-8409-generated"' in html
    # The four SIRENE blocks, not the unemployment one.
    assert html.count(">Données de démonstration (générées)</p>") == 4
    assert "générateur de démonstration du projet" in html
    for block in ("sections", "divisions", "quotients", "sizes", "cohorts"):
        title = _figure(html, block)["layout"]["title"]["text"]
        assert title.endswith(" — données de démonstration (générées)"), block
    title = _figure(html, "unemployment")["layout"]["title"]["text"]
    assert "démonstration" not in title


def _figure(html, block):
    found = re.search(
        rf'<script id="diag-8409-{block}" type="application/json">(.*?)</script>', html
    )
    return json.loads(json.loads(found[1]))


def test_real_data_carries_no_demo_label(client, member, imported):
    client.force_login(member)
    html = client.get(url(imported["basin"])).content.decode()
    assert "émonstration" not in html


def test_one_big_holding_is_not_shown_as_a_specialisation(client, member, territory):
    """A basin whose only large site is a holding: 97 % of its employees in
    financial services. The share is shown with its count, never as a finding."""
    saclay = territory["grenoble"]
    run = ImportRunFactory()
    EstablishmentFactory(
        basin=saclay,
        headcount_band="52",
        naf_code="64.20Z",
        naf_section="K",
        name="HOLDING",
        import_run=run,
    )
    for band in ("12", "12", "12", "12", "11", "11", "11"):
        EstablishmentFactory(
            basin=saclay,
            headcount_band=band,
            naf_code="47.11D",
            naf_section="G",
            import_run=run,
        )
    for _ in range(40):
        EstablishmentFactory(
            basin=territory["oyonnax"],
            headcount_band="32",
            naf_code="47.11D",
            naf_section="G",
            import_run=run,
        )
    client.force_login(member)
    html = client.get(url(saclay)).content.decode()
    assert "97,6\u202f%" in html  # 7499.5 of 7681: the share is still shown
    assert "Spécialisation</span>" not in html
    assert 'id="diag-8409-specialisations">Aucune division' in html
    assert "Non significatif : repose sur 1 établissement (minimum 3)" in html
    assert "non significatif : le bassin compte 8 établissements employeurs" in html


def test_scripts_are_external_or_json_only(client, member, imported):
    client.force_login(member)
    html = client.get(url(imported["basin"])).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    for tag in scripts:
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/plotly/plotly.min.js" in html
    assert " style=" not in html


def test_empty_states_when_nothing_is_imported(client, member, territory):
    client.force_login(member)
    response = client.get(url(territory["grenoble"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="fr-callout diagnostic-empty"') == 7
    assert "Les établissements SIRENE n'ont pas encore été importés" in html
    assert "data-figure=" not in html


def test_reviewer_of_the_department_sees_the_diagnostic(
    client, department_reviewer, imported
):
    client.force_login(department_reviewer)
    assert client.get(url(imported["basin"])).status_code == 200


def test_another_territory_is_not_found(client, member, territory):
    client.force_login(member)
    assert client.get(url(territory["chateauroux"])).status_code == 404


def test_unknown_basin_is_not_found(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("diagnostics:basin_diagnostic", args=["0000"]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, territory):
    response = client.get(url(territory["grenoble"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_basin_page_links_to_its_diagnostic(client, member, territory):
    client.force_login(member)
    response = client.get(territory["grenoble"].get_absolute_url())
    assert url(territory["grenoble"]) in response.content.decode()


@pytest.mark.parametrize("extra", [0, 60])
def test_query_count_does_not_grow_with_establishments(
    client, member, imported, django_assert_max_num_queries, extra
):
    basin = imported["basin"]
    for n in range(extra):
        EstablishmentFactory(
            basin=basin,
            headcount_band="11",
            naf_code=("10.71C", "43.22A", "62.01Z")[n % 3],
            naf_section=("C", "F", "J")[n % 3],
            created_on=datetime.date(2016 + n % 9, 1, 1),
        )
    client.force_login(member)
    # Session, user, basin, latest runs; on a cache miss 5 aggregates in a
    # transaction (savepoint, SET work_mem, release) + 3 NAF labels;
    # unemployment (2), population, hiring (3) and their import runs.
    with django_assert_max_num_queries(24):
        response = client.get(url(basin))
    assert response.status_code == 200
    # Second view: the SIRENE aggregates come from the cache.
    with django_assert_max_num_queries(15):
        client.get(url(basin))


def test_empty_states_link_importers_to_the_imports_page(client, admin_user, territory):
    client.force_login(admin_user)
    html = client.get(url(territory["grenoble"])).content.decode()
    link = f'<a class="fr-link" href="{reverse("diagnostics:import_list")}">'
    assert html.count(link) == 7


def test_empty_states_do_not_link_others_to_the_imports_page(client, member, territory):
    client.force_login(member)
    html = client.get(url(territory["grenoble"])).content.decode()
    assert f'class="fr-link" href="{reverse("diagnostics:import_list")}"' not in html
    assert "Un administrateur peut les importer" in html


def test_methods_page_explains_each_indicator_and_lists_the_imports(
    client, member, imported
):
    from diagnostics.models import ImportRun

    ImportRun.objects.filter(pk=imported["sirene"].pk).update(generated=True)
    client.force_login(member)
    response = client.get(reverse("diagnostics:methods"))
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in (
        "sources",
        "etablissements",
        "specificite",
        "fiabilite",
        "taille",
        "perennite",
        "bmo",
        "chomage",
        "population",
        "demonstration",
    ):
        assert f'id="{anchor}"' in html
    # The rule, with the thresholds the code applies.
    assert "au moins <strong>3 établissements</strong>" in html
    assert "au moins <strong>20 salariés estimés</strong>" in html
    assert "<strong>85 % ou plus</strong>" in html
    # Band middles from the code, e.g. 20 to 49 employees -> 34.5.
    assert "<td>34,5</td>" in html
    # Each kind of data with its latest real import, linked.
    assert imported["sirene"].get_absolute_url() in html
    assert imported["unemployment"].get_absolute_url() in html
    assert "Établissements SIRENE (stock généré pour la démonstration)" in html
    assert "trimestres 2003-T1 à 2023-T3" in html


def test_footer_links_to_the_methods_for_signed_in_users_only(client, member):
    methods = f'href="{reverse("diagnostics:methods")}"'
    assert methods not in client.get(reverse("login")).content.decode()
    client.force_login(member)
    assert methods in client.get(reverse("basins:home")).content.decode()
