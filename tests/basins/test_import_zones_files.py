"""The INSEE zones d'emploi import: dry run, malformed files."""

import pytest
from django.core.management import CommandError

from basins.models import Commune
from tests.basins.zones_helpers import (
    COMMUNES_FILE,
    ZONES_FILE,
    import_command,
    table_sizes,
)


@pytest.mark.django_db
def test_dry_run_writes_nothing(data_dir):
    output = import_command(
        zones=data_dir / ZONES_FILE, communes=data_dir / COMMUNES_FILE
    )
    assert "basins: 306 créé(s)" in output
    assert "Simulation : rien n'a été enregistré" in output
    assert table_sizes() == (0, 0, 0, 0, 0, 0)


# --- Malformed files: refused in French, nothing written ---------------------

ZONES = "ZE2020,LIBZE2020,NB_COM\n8409,Grenoble,2\n8425,Oyonnax,1\n"
COMMUNES = (
    "CODGEO,LIBGEO,ZE2020,LIBZE2020,ZE2020_PARTIE_REG,DEP,REG\n"
    "38185,Grenoble,8409,Grenoble,,38,84\n"
    "38421,Saint-Martin-d'Hères,8409,Grenoble,,38,84\n"
    "01283,Oyonnax,8425,Oyonnax,,01,84\n"
)


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding)
    return path


@pytest.mark.django_db
def test_small_valid_files_import(tmp_path):
    import_command(
        "--wet-run",
        zones=write(tmp_path, "zones.csv", ZONES),
        communes=write(tmp_path, "communes.csv", COMMUNES),
    )
    assert table_sizes() == (1, 2, 2, 3, 2, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zones", "communes", "message"),
    [
        pytest.param(
            ZONES.replace("LIBZE2020,", "NOM,"),
            COMMUNES,
            "Colonnes manquantes dans zones.csv : LIBZE2020.",
            id="zones-missing-column",
        ),
        pytest.param(
            ZONES,
            COMMUNES.replace(",DEP,REG", ",DEPT,REGION"),
            "Colonnes manquantes dans communes.csv : DEP, REG.",
            id="communes-missing-columns",
        ),
        pytest.param(
            ZONES.replace(",", ";"),
            COMMUNES,
            "Le fichier zones.csv utilise « ; » comme séparateur",
            id="semicolon",
        ),
        pytest.param(
            ZONES.encode("cp1252").replace(b"Grenoble", b"Gr\xe9noble"),
            COMMUNES,
            "Le fichier zones.csv n'est pas encodé en UTF-8",
            id="cp1252",
        ),
        pytest.param("", COMMUNES, "Le fichier zones.csv est vide.", id="empty"),
        pytest.param(
            ZONES,
            COMMUNES + "38000,Trop,8409,Grenoble,,38,84,en trop\n",
            "Ligne 5 du fichier communes.csv : 8 colonnes au lieu de 7.",
            id="ragged-row",
        ),
        pytest.param(
            ZONES + "84x9,Mauvais code,1\n",
            COMMUNES,
            "Ligne 4 : code de zone d'emploi invalide « 84x9 »",
            id="bad-zone-code",
        ),
        pytest.param(
            ZONES,
            COMMUNES + "38999,Ailleurs,9999,Inconnue,,38,84\n",
            "Ligne 5 : la commune 38999 est rattachée à une zone d'emploi "
            "inconnue « 9999 ».",
            id="unknown-zone",
        ),
        pytest.param(
            ZONES,
            COMMUNES + "3800,Court,8409,Grenoble,,38,84\n",
            "Ligne 5 : code commune invalide « 3800 »",
            id="bad-commune-code",
        ),
        pytest.param(
            ZONES,
            COMMUNES + "38998,Sans département,8409,Grenoble,,,84\n",
            "Ligne 5 : département ou région manquant.",
            id="missing-department",
        ),
    ],
)
def test_malformed_files_are_refused_and_nothing_is_written(
    tmp_path, zones, communes, message
):
    with pytest.raises(CommandError) as error:
        import_command(
            "--wet-run",
            zones=write(tmp_path, "zones.csv", zones),
            communes=write(tmp_path, "communes.csv", communes),
        )
    assert message in str(error.value)
    assert table_sizes() == (0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError):
        import_command(
            "--wet-run",
            zones=tmp_path / "absent.csv",
            communes=write(tmp_path, "communes.csv", COMMUNES),
        )
    assert table_sizes() == (0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_bad_file_leaves_a_previous_import_untouched(tmp_path):
    zones = write(tmp_path, "zones.csv", ZONES)
    import_command(
        "--wet-run", zones=zones, communes=write(tmp_path, "communes.csv", COMMUNES)
    )
    before = table_sizes()
    bad = COMMUNES.replace("Grenoble,,38", "Grenoble-Alpes,,38") + (
        "38999,Ailleurs,9999,Inconnue,,38,84\n"
    )
    with pytest.raises(CommandError):
        import_command(
            "--wet-run", zones=zones, communes=write(tmp_path, "bad.csv", bad)
        )
    assert table_sizes() == before
    assert Commune.objects.get(code="38185").name == "Grenoble"


@pytest.mark.django_db
def test_a_commune_that_changes_basin_and_name_is_updated(tmp_path):
    zones = write(tmp_path, "zones.csv", ZONES)
    import_command(
        "--wet-run", zones=zones, communes=write(tmp_path, "communes.csv", COMMUNES)
    )
    moved = COMMUNES.replace(
        "38421,Saint-Martin-d'Hères,8409,Grenoble,,38,84",
        "38421,Saint-Martin,8425,Oyonnax,,01,84",
    )
    output = import_command(
        "--wet-run", zones=zones, communes=write(tmp_path, "moved.csv", moved)
    )
    assert "communes: 0 créé(s), 1 modifié(s), 2 inchangé(s)" in output
    commune = Commune.objects.get(code="38421")
    assert (commune.name, commune.basin.code, commune.department_id) == (
        "Saint-Martin",
        "8425",
        "01",
    )
    grenoble_departments = Commune.objects.get(code="38185").basin.departments
    assert list(grenoble_departments.values_list("code", flat=True)) == ["38"]
