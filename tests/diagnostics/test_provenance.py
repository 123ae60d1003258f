"""What a data file says about itself: vintage and generated flag."""

import datetime
import gzip
import zipfile

import pytest

from bench import sirene
from diagnostics import provenance
from diagnostics.models import ImportKind

SIRENE_HEAD = "siren,nic,enseigne3Etablissement\n123456789,00011,\n"


def test_the_generator_and_the_product_share_the_marker():
    assert sirene.GENERATED_MARKER == provenance.GENERATED_MARKER
    assert sirene.MARKER_COLUMN == provenance.MARKER_COLUMN


def test_a_generated_stock_is_recognised(tmp_path, settings):
    path = tmp_path / "StockEtablissement_utf8.csv"
    sirene.write(path, rows=3, seed=1, data_dir=settings.DATA_DIR)
    facts = provenance.describe_file(kind=ImportKind.SIRENE, path=path)
    assert facts.generated
    assert facts.vintage == "stock fictif, sans date de référence réelle"


def test_a_real_looking_stock_is_not_flagged(tmp_path):
    path = tmp_path / "StockEtablissement_utf8.csv"
    path.write_text(SIRENE_HEAD, encoding="utf-8")
    facts = provenance.describe_file(kind=ImportKind.SIRENE, path=path)
    assert facts == provenance.FileFacts()


def test_a_zipped_stock_gets_the_date_insee_wrote_it(tmp_path):
    path = tmp_path / "StockEtablissement_utf8.zip"
    with zipfile.ZipFile(path, "w") as archive:
        member = zipfile.ZipInfo("StockEtablissement_utf8.csv", (2026, 3, 1, 2, 0, 0))
        archive.writestr(member, SIRENE_HEAD)
    facts = provenance.describe_file(kind=ImportKind.SIRENE, path=path)
    assert facts.vintage == "stock Sirene au 1er mars 2026"
    assert not facts.generated


def test_unemployment_quarters_are_read_from_the_header(tmp_path):
    path = tmp_path / "chomage.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write("ZE2020,LIBZE2020,2023-T3,2003-T1,2010-T2\n0051,Alençon,6,7,8\n")
    facts = provenance.describe_file(kind=ImportKind.UNEMPLOYMENT, path=path)
    assert facts.vintage == "trimestres 2003-T1 à 2023-T3"


@pytest.mark.parametrize(
    ("years", "vintage"),
    [
        ((2015, 2021, 1968), "recensements de 1968 à 2021"),
        ((2021,), "recensement 2021"),
    ],
)
def test_population_census_years(tmp_path, years, vintage):
    path = tmp_path / "pop.csv"
    lines = [f"0051,Alençon,{year},1000" for year in years]
    path.write_text("codgeo,libgeo,an,pop\n" + "\n".join(lines) + "\n")
    facts = provenance.describe_file(kind=ImportKind.POPULATION, path=path)
    assert facts.vintage == vintage


def test_bmo_survey_year(tmp_path):
    path = tmp_path / "bmo.csv"
    path.write_text("annee,Code métier BMO,met\n2024,A0X40,95\n2024,A0X41,*\n")
    facts = provenance.describe_file(kind=ImportKind.BMO, path=path)
    assert facts.vintage == "enquête BMO 2024"


def test_a_declared_vintage_wins_and_is_cut_to_the_field(tmp_path):
    path = tmp_path / "bmo.csv"
    path.write_text("annee,met\n2024,95\n")
    facts = provenance.describe_file(
        kind=ImportKind.BMO, path=path, declared_vintage="  " + "x" * 200
    )
    assert facts.vintage == "x" * 120


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"PK\x03\x04broken"])
def test_an_unreadable_file_gets_no_facts(tmp_path, content):
    path = tmp_path / "stock.zip"
    path.write_bytes(content)
    for kind in ImportKind:
        assert provenance.describe_file(kind=kind, path=path) == provenance.FileFacts()


def test_a_missing_file_gets_no_facts(tmp_path):
    path = tmp_path / "absent.csv"
    facts = provenance.describe_file(kind=ImportKind.SIRENE, path=path)
    assert facts == provenance.FileFacts()


def test_french_dates():
    assert provenance.french_date(datetime.date(2026, 1, 1)) == "1er janvier 2026"
    assert provenance.french_date(datetime.date(2026, 3, 15)) == "15 mars 2026"


@pytest.mark.django_db
def test_the_import_command_records_the_facts(tmp_path, settings, capsys):
    from django.core.management import call_command

    from diagnostics.models import ImportRun

    path = tmp_path / "StockEtablissement_utf8.csv"
    sirene.write(path, rows=5, seed=2, data_dir=settings.DATA_DIR)
    call_command("import_sirene", str(path), "--vintage", "stock fictif n° 2")
    run = ImportRun.objects.get()
    assert (run.vintage, run.generated, run.dry_run) == (
        "stock fictif n° 2",
        True,
        True,
    )
    assert "données de démonstration (générées)" in capsys.readouterr().out
