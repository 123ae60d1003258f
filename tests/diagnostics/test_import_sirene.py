"""SIRENE stock import, on SQLite (Python path) and PostgreSQL (COPY path)."""

import csv
import datetime

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from basins.services import commune_to_basin_map
from diagnostics.importers import pgload, sirene, streaming, validation
from diagnostics.importers.sirene import import_sirene
from diagnostics.models import Establishment, ImportKind, ImportRun, ImportStatus
from tests.basins.factories import (
    BasinFactory,
    CommuneFactory,
    DepartmentFactory,
    RegionFactory,
)
from tests.diagnostics.factories import sirene_row, write_sirene


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def places(territory):
    """Grenoble (38185) in basin 8409, Paris (75056) in basin 1101."""
    ile_de_france = RegionFactory(code="11", name="Île-de-France")
    paris_department = DepartmentFactory(code="75", name="Paris", region=ile_de_france)
    paris = BasinFactory(code="1101", name="Paris", departments=[paris_department])
    CommuneFactory(code="38185", name="Grenoble", basin=territory["grenoble"])
    CommuneFactory(code="01283", name="Oyonnax", basin=territory["oyonnax"])
    CommuneFactory(code="75056", name="Paris", basin=paris, department=paris_department)
    return {**territory, "paris": paris}


def run_import(path, *, dry_run=False):
    run = ImportRun.objects.create(
        kind=ImportKind.SIRENE, file_name=path.name, file_path=str(path)
    )
    return import_sirene(path=path, run=run, dry_run=dry_run)


SIRETS = ["12345678900011", "12345678900029", "98765432100015"]


def three_rows(changes=None):
    rows = [
        sirene_row(SIRETS[0]),
        sirene_row(
            SIRETS[1],
            codeCommuneEtablissement="01283",
            activitePrincipaleEtablissement="22.29A",
            trancheEffectifsEtablissement="NN",
            anneeEffectifsEtablissement="",
            etatAdministratifEtablissement="F",
            enseigne1Etablissement="",
            denominationUsuelleEtablissement="PLASTIQUES DU BUGEY",
        ),
        sirene_row(SIRETS[2], codeCommuneEtablissement="75108"),
    ]
    for index, values in (changes or {}).items():
        rows[index].update(values)
    return rows


@pytest.mark.django_db
def test_new_rows_are_inserted_with_mapped_fields(places, tmp_path):
    run = run_import(write_sirene(tmp_path / "stock.csv", three_rows()))

    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert (run.rows_read, run.inserted, run.updated, run.unchanged) == (3, 3, 0, 0)
    run.refresh_from_db()
    assert run.rows_total_estimate == 3
    assert len(run.checksum) == 64
    first = Establishment.objects.get(siret=SIRETS[0])
    assert first.siren == "123456789"
    assert first.created_on == datetime.date(2015, 3, 2)
    assert first.headcount_band == "12"
    assert first.headcount_year == 2023
    assert (first.naf_code, first.naf_nomenclature) == ("25.62B", "NAFRev2")
    assert first.naf25_code == "25.62Y"
    assert (first.naf_division, first.naf_section) == ("25", "C")
    assert first.basin == places["grenoble"]
    assert first.is_active is True
    assert first.name == "ATELIER DU DRAC"
    assert first.import_run == run


@pytest.mark.django_db
def test_closed_establishment_takes_usual_name_and_is_inactive(places, tmp_path):
    run_import(write_sirene(tmp_path / "stock.csv", three_rows()))

    second = Establishment.objects.get(siret=SIRETS[1])
    assert second.is_active is False
    assert second.name == "PLASTIQUES DU BUGEY"
    assert second.headcount_band == "NN"
    assert second.headcount_year is None
    assert second.basin == places["oyonnax"]


@pytest.mark.django_db
def test_paris_arrondissement_is_mapped_to_paris_basin(places, tmp_path):
    run_import(write_sirene(tmp_path / "stock.csv", three_rows()))

    paris_establishment = Establishment.objects.get(siret=SIRETS[2])
    assert paris_establishment.commune_code == "75108"
    assert paris_establishment.basin == places["paris"]


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(places, tmp_path):
    path = write_sirene(tmp_path / "stock.csv", three_rows())
    first = run_import(path)

    second = run_import(path)

    assert second.status == ImportStatus.SUCCEEDED, second.error_message
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 3)
    # Unchanged rows keep pointing at the run that wrote them.
    assert set(Establishment.objects.values_list("import_run", flat=True)) == {first.pk}


@pytest.mark.django_db
def test_changed_rows_are_updated_and_others_unchanged(places, tmp_path):
    run_import(write_sirene(tmp_path / "v1.csv", three_rows()))
    changed = three_rows(
        {
            0: {
                "trancheEffectifsEtablissement": "21",
                "anneeEffectifsEtablissement": "2024",
            }
        }
    )
    changed.append(sirene_row("55555555500018"))

    run = run_import(write_sirene(tmp_path / "v2.csv", changed))

    assert (run.rows_read, run.inserted, run.updated, run.unchanged) == (4, 1, 1, 2)
    updated = Establishment.objects.get(siret=SIRETS[0])
    assert (updated.headcount_band, updated.headcount_year) == ("21", 2024)
    assert updated.import_run == run


@pytest.mark.django_db
def test_reimport_places_rows_whose_commune_joined_a_basin_since(places, tmp_path):
    rows = three_rows({0: {"codeCommuneEtablissement": "38421"}})
    path = write_sirene(tmp_path / "stock.csv", rows)
    run_import(path)
    assert Establishment.objects.get(siret=SIRETS[0]).basin is None
    # A zones import since then placed the commune: same file, new basin.
    CommuneFactory(code="38421", name="Saint-Martin-d'Hères", basin=places["grenoble"])

    run = run_import(path)

    assert (run.inserted, run.updated, run.unchanged) == (0, 1, 2)
    assert Establishment.objects.get(siret=SIRETS[0]).basin == places["grenoble"]


@pytest.mark.django_db
def test_raw_change_with_the_same_stored_values_counts_as_unchanged(places, tmp_path):
    first = run_import(write_sirene(tmp_path / "v1.csv", three_rows()))
    # A "[ND]" sign instead of a blank one: the name is still the usual name.
    changed = three_rows({1: {"enseigne1Etablissement": "[ND]"}})

    second = run_import(write_sirene(tmp_path / "v2.csv", changed))
    third = run_import(write_sirene(tmp_path / "v2.csv", changed))

    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 3)
    assert (third.inserted, third.updated, third.unchanged) == (0, 0, 3)
    assert set(Establishment.objects.values_list("import_run", flat=True)) == {first.pk}


@pytest.mark.django_db
def test_rows_without_a_source_hash_are_compared_and_get_one(places, tmp_path):
    path = write_sirene(tmp_path / "stock.csv", three_rows())
    first = run_import(path)
    # Rows written before the hash existed.
    Establishment.objects.update(source_hash=None)

    run = run_import(path)

    assert (run.inserted, run.updated, run.unchanged) == (0, 0, 3)
    assert set(Establishment.objects.values_list("import_run", flat=True)) == {first.pk}
    if connection.vendor == "postgresql":
        assert not Establishment.objects.filter(source_hash=None).exists()


@pytest.mark.django_db
def test_legacy_48_column_stock_is_imported(places, tmp_path):
    path = write_sirene(tmp_path / "old.csv", three_rows(), legacy=True)

    run = run_import(path)

    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert run.inserted == 3
    assert Establishment.objects.get(siret=SIRETS[0]).naf25_code == ""


@pytest.mark.django_db
def test_old_nomenclatures_are_kept_without_division_and_counted(places, tmp_path):
    rows = [
        sirene_row(
            "11111111100013",
            activitePrincipaleEtablissement="28.5D",
            nomenclatureActivitePrincipaleEtablissement="NAFRev1",
        ),
        sirene_row(
            "22222222200016",
            activitePrincipaleEtablissement="285D",
            nomenclatureActivitePrincipaleEtablissement="NAP",
        ),
    ]

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert run.inserted == 2
    assert run.report["warnings"]["autre_nomenclature"] == 2
    assert run.report["nomenclatures"] == {"NAFRev1": 1, "NAP": 1}
    old = Establishment.objects.get(siret="11111111100013")
    assert (old.naf_code, old.naf_nomenclature, old.naf_division) == (
        "28.5D",
        "NAFRev1",
        "",
    )


@pytest.mark.django_db
def test_unknown_foreign_and_non_diffusible_communes_keep_a_null_basin(
    places, tmp_path
):
    rows = [
        sirene_row("11111111100013", codeCommuneEtablissement="99999"),
        sirene_row(
            "22222222200016",
            codeCommuneEtablissement="",
            codePaysEtrangerEtablissement="99109",
        ),
        sirene_row("33333333300019", codeCommuneEtablissement="[ND]"),
        sirene_row("44444444400012", codeCommuneEtablissement=""),
    ]

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert run.inserted == 4
    assert run.report["warnings"] == {
        "commune_inconnue": 1,
        "commune_etrangere": 1,
        "commune_non_diffusible": 1,
        "commune_absente": 1,
    }
    assert not Establishment.objects.filter(basin__isnull=False).exists()
    assert Establishment.objects.get(siret="33333333300019").commune_code == ""


@pytest.mark.django_db
def test_non_diffusible_activity_and_headcount_are_blank_and_counted(places, tmp_path):
    row = sirene_row(
        "11111111100013",
        activitePrincipaleEtablissement="[ND]",
        nomenclatureActivitePrincipaleEtablissement="[ND]",
        trancheEffectifsEtablissement="[ND]",
        enseigne1Etablissement="[ND]",
    )

    run = run_import(write_sirene(tmp_path / "stock.csv", [row]))

    assert run.report["warnings"] == {
        "activite_non_diffusible": 1,
        "effectif_non_diffusible": 1,
    }
    establishment = Establishment.objects.get()
    assert (establishment.naf_code, establishment.headcount_band) == ("", "")
    assert establishment.name == ""
    assert establishment.basin == places["grenoble"]


@pytest.mark.django_db
def test_invalid_sirets_and_duplicates_are_rejected_into_the_rejects_file(
    places, tmp_path
):
    rows = [
        sirene_row(SIRETS[0]),
        sirene_row("[ND]", siren="123456789"),
        sirene_row("12345678900029", siren="999999999"),
        sirene_row(SIRETS[0], trancheEffectifsEtablissement="53"),
    ]

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert (run.rows_read, run.inserted, run.rejected, run.unchanged) == (4, 1, 3, 0)
    assert run.report["rejects"] == {
        "siret_invalide": 1,
        "siren_invalide": 1,
        "siret_en_double": 1,
    }
    # The first occurrence of a duplicated SIRET wins.
    assert Establishment.objects.get().headcount_band == "12"
    with run.rejects_file.open("r") as file:
        lines = list(csv.reader(file))
    assert lines[0][:2] == ["ligne", "motif"]
    assert [(line[0], line[1]) for line in lines[1:]] == [
        ("3", "siret_invalide"),
        ("4", "siren_invalide"),
        ("5", "siret_en_double"),
    ]


@pytest.mark.django_db
def test_bad_byte_late_in_the_file_rolls_everything_back(places, tmp_path):
    run_import(write_sirene(tmp_path / "v1.csv", three_rows()))
    before = list(Establishment.objects.order_by("siret").values())
    # Far beyond the head checked at upload: the stream must catch it.
    rows = [sirene_row(f"{n:09d}{1:05d}") for n in range(100000001, 100004001)]
    rows += three_rows({0: {"trancheEffectifsEtablissement": "53"}})
    path = write_sirene(tmp_path / "v2.csv", rows)
    data = path.read_bytes()
    at = data.rindex(b"ATELIER DU DRAC")
    path.write_bytes(data[:at] + b"\xe9" + data[at + 1 :])
    assert len(data[:at]) > 512 * 1024

    run = run_import(path)

    assert run.status == ImportStatus.FAILED
    assert "UTF-8" in run.error_message
    assert "rien n'a été importé" in run.error_message
    assert list(Establishment.objects.order_by("siret").values()) == before


@pytest.mark.django_db
def test_ragged_row_fails_with_its_line_number_and_writes_nothing(places, tmp_path):
    path = write_sirene(tmp_path / "stock.csv", three_rows())
    with path.open("a", encoding="utf-8") as file:
        file.write("1,2,3\n")

    run = run_import(path)

    assert run.status == ImportStatus.FAILED
    assert "ligne 5" in run.error_message.lower()
    assert not Establishment.objects.exists()


@pytest.mark.django_db
def test_malformed_creation_date_refuses_the_whole_file(places, tmp_path):
    rows = three_rows({2: {"dateCreationEtablissement": "2015-02-30"}})

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert run.status == ImportStatus.FAILED
    assert "date de création" in run.error_message
    assert "rien n'a été importé" in run.error_message
    assert not Establishment.objects.exists()


@pytest.mark.django_db
def test_non_diffusible_or_empty_dates_are_null(places, tmp_path):
    rows = three_rows(
        {
            0: {"dateCreationEtablissement": "[ND]"},
            1: {"dateCreationEtablissement": "", "anneeEffectifsEtablissement": ""},
        }
    )

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert Establishment.objects.filter(created_on__isnull=True).count() == 2


@pytest.mark.django_db
def test_blank_lines_at_the_end_are_ignored(places, tmp_path):
    path = write_sirene(tmp_path / "stock.csv", three_rows())
    with path.open("a", encoding="utf-8") as file:
        file.write("\r\n\n\n")

    run = run_import(path)

    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert (run.rows_read, run.inserted) == (3, 3)


@pytest.mark.django_db
def test_dry_run_counts_but_writes_nothing(places, tmp_path):
    run = run_import(write_sirene(tmp_path / "stock.csv", three_rows()), dry_run=True)

    assert run.status == ImportStatus.SUCCEEDED
    assert run.dry_run is True
    assert run.inserted == 3
    assert not Establishment.objects.exists()


@pytest.mark.django_db
def test_command_is_a_dry_run_without_wet_run(places, tmp_path, capsys):
    path = write_sirene(tmp_path / "stock.csv", three_rows())

    call_command("import_sirene", str(path))

    assert not Establishment.objects.exists()
    assert "Simulation" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_with_wet_run_writes_and_reports(places, tmp_path, capsys):
    path = write_sirene(tmp_path / "stock.csv", three_rows())

    call_command("import_sirene", str(path), "--wet-run")

    assert Establishment.objects.count() == 3
    out = capsys.readouterr().out
    assert "3 créée(s)" in out


@pytest.mark.django_db
def test_command_fails_with_the_french_message(places, tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="est vide"):
        call_command("import_sirene", str(path), "--wet-run")


def establishment_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes "
            "WHERE tablename = 'diagnostics_establishment' ORDER BY indexname"
        )
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL path")
@pytest.mark.django_db
def test_first_big_load_rebuilds_the_secondary_indexes(places, tmp_path):
    before = establishment_indexes()
    rows = [sirene_row(f"{n:09d}00011") for n in range(100000000, 100012000)]

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert run.inserted == 12000
    assert establishment_indexes() == before
    assert "establishment_basin" in before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL path")
@pytest.mark.django_db
def test_failed_big_load_keeps_the_indexes(places, tmp_path, monkeypatch):
    before = establishment_indexes()
    rows = [sirene_row(f"{n:09d}00011") for n in range(100000000, 100012000)]
    path = write_sirene(tmp_path / "stock.csv", rows)
    swap_in = sirene._swap_in

    def failing_swap(*args):
        swap_in(*args)
        raise RuntimeError("boom")

    monkeypatch.setattr(sirene, "_swap_in", failing_swap)

    run = run_import(path)

    assert run.status == ImportStatus.FAILED
    assert establishment_indexes() == before
    assert not Establishment.objects.exists()


def two_streams(monkeypatch):
    """Cut even a small file in two segments, copied at once."""
    monkeypatch.setattr(pgload, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(pgload.os, "cpu_count", lambda: 2)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL path"
)


@postgresql_only
@pytest.mark.django_db
def test_two_segments_give_the_rows_rejects_and_lines_of_one(
    places, tmp_path, monkeypatch
):
    two_streams(monkeypatch)
    rows = [sirene_row(f"{n:09d}00011") for n in range(100000000, 100000040)]
    rows[5] = sirene_row("[ND]", siren="123456789")
    rows[35] = sirene_row("100000001" + "00011")  # the SIRET of line 3
    path = write_sirene(tmp_path / "stock.csv", rows)

    run = run_import(path)

    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert (run.rows_read, run.inserted, run.rejected) == (40, 38, 2)
    with run.rejects_file.open("r") as file:
        lines = list(csv.reader(file))[1:]
    assert [(line[0], line[1]) for line in lines] == [
        ("7", "siret_invalide"),
        ("37", "siret_en_double"),
    ]
    assert Establishment.objects.filter(basin=places["grenoble"]).count() == 38


@postgresql_only
@pytest.mark.django_db
def test_an_error_in_the_second_segment_gives_its_line_in_the_file(
    places, tmp_path, monkeypatch
):
    two_streams(monkeypatch)
    # Beyond the head checked at upload: COPY finds it.
    rows = [sirene_row(f"{n:09d}00011") for n in range(100000000, 100002000)]
    path = write_sirene(tmp_path / "stock.csv", rows)
    with path.open("a", encoding="utf-8") as file:
        file.write("1,2,3\n")
    assert path.stat().st_size > validation.HEAD_SIZE

    run = run_import(path)

    assert run.status == ImportStatus.FAILED
    assert "nombre de colonnes" in run.error_message
    assert "à la ligne 2002 " in run.error_message
    assert not Establishment.objects.exists()


@postgresql_only
@pytest.mark.django_db
def test_an_unchanged_duplicate_is_still_rejected_on_reimport(places, tmp_path):
    rows = [*three_rows(), sirene_row(SIRETS[0])]
    path = write_sirene(tmp_path / "stock.csv", rows)
    first = run_import(path)

    again = run_import(path)

    assert first.report["rejects"] == {"siret_en_double": 1}
    assert again.report["rejects"] == {"siret_en_double": 1}
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


@postgresql_only
@pytest.mark.django_db
def test_a_reimport_counts_the_remarks_of_unchanged_rows(places, tmp_path):
    rows = three_rows({0: {"codeCommuneEtablissement": "[ND]"}})
    path = write_sirene(tmp_path / "stock.csv", rows)
    first = run_import(path)

    again = run_import(path)

    assert again.unchanged == 3
    assert again.report["warnings"] == first.report["warnings"]
    assert again.report["warnings"]["commune_non_diffusible"] == 1


@postgresql_only
@pytest.mark.django_db
def test_scratch_tables_left_by_a_killed_import_are_dropped(places, tmp_path):
    with pgload.side_connection() as side:
        side.execute(f"CREATE UNLOGGED TABLE {pgload.TABLE_PREFIX}dead_0 (c0 text)")

    run = run_import(write_sirene(tmp_path / "stock.csv", three_rows()))

    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    with pgload.side_connection() as side:
        left = side.execute(
            "SELECT tablename FROM pg_tables WHERE tablename = %s",
            [f"{pgload.TABLE_PREFIX}dead_0"],
        ).fetchall()
    assert left == []


@postgresql_only
@pytest.mark.django_db
def test_an_import_is_refused_while_another_one_runs(places, tmp_path):
    with pgload.side_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [pgload.LOCK_KEY])

        run = run_import(write_sirene(tmp_path / "stock.csv", three_rows()))

    assert run.status == ImportStatus.FAILED
    assert "Un autre import SIRENE est en cours" in run.error_message
    assert not Establishment.objects.exists()


@pytest.mark.django_db
def test_a_first_load_counts_rejects_and_remarks_without_duplicates(places, tmp_path):
    rows = three_rows({2: {"codeCommuneEtablissement": "[ND]"}})
    rows.insert(1, sirene_row("1234", siren="123456789"))

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert (run.rows_read, run.inserted, run.rejected) == (4, 3, 1)
    assert run.report["rejects"] == {"siret_invalide": 1}
    assert run.report["warnings"]["commune_non_diffusible"] == 1
    with run.rejects_file.open("r") as file:
        assert list(csv.reader(file))[1][:3] == ["3", "siret_invalide", "1234"]


def establishment_schema():
    """Columns (type, collation, nullability), constraints and indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                a.attcollation, a.attnotnull, a.attstorage,
                pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute AS a
            LEFT JOIN pg_attrdef AS d
                ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = 'diagnostics_establishment'::regclass
                AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'diagnostics_establishment'::regclass ORDER BY 1"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'diagnostics_establishment' ORDER BY 1"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT relpersistence FROM pg_class "
            "WHERE oid = 'diagnostics_establishment'::regclass"
        )
        return columns, constraints, indexes, cursor.fetchone()


@postgresql_only
@pytest.mark.django_db
def test_a_first_load_swaps_in_the_same_table(places, tmp_path):
    before = establishment_schema()
    assert before[3] == ("p",)  # logged

    run = run_import(write_sirene(tmp_path / "stock.csv", three_rows()))

    assert run.inserted == 3
    assert establishment_schema() == before
    first = Establishment.objects.get(siret=SIRETS[0])
    assert first.import_run_id == run.pk


@postgresql_only
@pytest.mark.django_db
def test_a_first_load_keeps_a_database_default_and_check(places, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE diagnostics_establishment ALTER COLUMN remarks SET DEFAULT 0,"
            " ADD CONSTRAINT establishment_band CHECK (length(headcount_band) <= 2)"
        )
    before = establishment_schema()
    assert "establishment_band" in dict(before[1])

    run_import(write_sirene(tmp_path / "stock.csv", three_rows()))

    assert establishment_schema() == before


@postgresql_only
@pytest.mark.django_db
def test_a_first_load_with_duplicates_swaps_in_the_same_table(places, tmp_path):
    before = establishment_schema()
    rows = three_rows()
    rows.append(dict(rows[0]))

    run = run_import(write_sirene(tmp_path / "stock.csv", rows))

    assert (run.inserted, run.rejected) == (3, 1)
    assert run.report["rejects"] == {"siret_en_double": 1}
    assert establishment_schema() == before


@postgresql_only
@pytest.mark.django_db
def test_the_stored_hash_is_the_record_hash_of_its_line(places, tmp_path):
    path = write_sirene(tmp_path / "stock.csv", three_rows())
    key = bytes.fromhex(sirene._mapping_fingerprint(commune_to_basin_map()))
    lines = path.read_bytes().splitlines()[1:]

    run_import(path)

    digest = streaming.record_hasher(key)
    stored = dict(Establishment.objects.values_list("siret", "source_hash"))
    assert stored == {SIRETS[n]: digest(lines[n]) for n in range(3)}


@postgresql_only
@pytest.mark.django_db
def test_concurrent_statements_return_their_rows_and_raise_the_first_error():
    assert pgload.run_concurrently(
        [["SELECT 1", "SELECT 2"], ["SET work_mem = '8MB'", "SELECT 3"]]
    ) == [[(1,), (2,)], [(3,)]]
    with pytest.raises(psycopg.errors.DivisionByZero):
        pgload.run_concurrently([["SELECT 1"], ["SELECT 1 / 0"]])


@postgresql_only
@pytest.mark.django_db
def test_a_bad_byte_in_a_column_the_import_does_not_keep_still_refuses_the_file(
    places, tmp_path
):
    # Unused columns are staged as one byte ("char"): COPY still checks
    # the encoding of every byte of the file.
    rows = [sirene_row(f"{n:09d}{1:05d}") for n in range(100000001, 100004001)]
    rows.append(sirene_row(SIRETS[0], libelleCommuneEtablissement="SAINT-EGREVE"))
    path = write_sirene(tmp_path / "stock.csv", rows)
    data = path.read_bytes()
    at = data.rindex(b"SAINT-EGREVE") + len("SAINT-")
    path.write_bytes(data[:at] + b"\xc9" + data[at + 1 :])
    assert at > validation.HEAD_SIZE

    run = run_import(path)

    assert run.status == ImportStatus.FAILED
    assert "UTF-8" in run.error_message
    assert not Establishment.objects.exists()
