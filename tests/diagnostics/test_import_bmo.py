"""France Travail BMO: confidential cells, spread over zones by population."""

import pytest

from diagnostics.importers.bmo import check_file, import_bmo, zone_shares
from diagnostics.models import HiringProjects, ImportKind, ImportRun, ImportStatus
from tests.basins.factories import (
    BasinFactory,
    CommuneFactory,
    DepartmentFactory,
    RegionFactory,
)

HEADER = (
    "annee,Code métier BMO,Nom métier BMO,Famille_met,Lbl_fam_met,REG,NOM_REG,"
    "Dept,NomDept,{be},NOM{be},met,xmet,smet\n"
)
ROWS = (
    "2024,D1X40,Soudeurs,D,Métiers de l'industrie,84,ARA,38,Isère,8401,"
    "GRENOBLE,40,*,8\n"
    "2024,D1X40,Soudeurs,D,Métiers de l'industrie,84,ARA,01,Ain,8402,AIN,12,6,0\n"
    "2024,D1X40,Soudeurs,D,Métiers de l'industrie,11,IDF,75,Paris,1107,"
    "T1 PARIS,7,*,*\n"
    "2024,D1X40,Soudeurs,D,Métiers de l'industrie,84,ARA,01,Ain,9999,"
    "INCONNU,5,5,5\n"
)
COMMUNES = (
    "reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO\n"
    "84,38,38185,8401,GRENOBLE\n"
    "84,01,01283,8401,GRENOBLE\n"
    "84,01,01004,8402,AIN\n"
    "11,75,75056,1107,T1 PARIS\n"
    "11,75,75101,1107,T1 PARIS\n"
    "11,75,75102,1107,T1 PARIS\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def places(territory):
    """BMO basin 8401 = Grenoble (pop. 300) + Oyonnax (100); 8402 = Ambérieu."""
    ile_de_france = RegionFactory(code="11", name="Île-de-France")
    paris_department = DepartmentFactory(code="75", region=ile_de_france)
    paris = BasinFactory(code="1101", name="Paris", departments=[paris_department])
    CommuneFactory(code="38185", basin=territory["grenoble"], population=300)
    CommuneFactory(code="01283", basin=territory["oyonnax"], population=100)
    CommuneFactory(code="01004", basin=territory["oyonnax"], population=50)
    CommuneFactory(
        code="75056", basin=paris, department=paris_department, population=2000
    )
    return {**territory, "paris": paris}


@pytest.fixture
def files(tmp_path):
    bmo = tmp_path / "bmo.csv"
    bmo.write_text(HEADER.format(be="BE24") + ROWS, encoding="utf-8")
    communes = tmp_path / "communes.csv"
    communes.write_text(COMMUNES, encoding="utf-8")
    return bmo, communes


def run_bmo(bmo, communes, **kwargs):
    run = ImportRun.objects.create(kind=ImportKind.BMO, file_name=bmo.name)
    return import_bmo(path=bmo, run=run, communes_path=communes, **kwargs)


@pytest.mark.django_db
def test_shares_follow_population_and_sum_to_one(places, files):
    shares = zone_shares(files[1])

    assert shares["8401"] == {
        places["grenoble"].pk: pytest.approx(0.75),
        places["oyonnax"].pk: pytest.approx(0.25),
    }
    # Paris and its arrondissements count once: the whole basin is Paris.
    assert shares["1107"] == {places["paris"].pk: pytest.approx(1.0)}
    for zones in shares.values():
        assert sum(zones.values()) == pytest.approx(1.0)


@pytest.mark.django_db
def test_projects_are_spread_proportionally_to_population(places, files):
    result = run_bmo(*files)

    assert result.status == ImportStatus.SUCCEEDED, result.error_message
    grenoble = HiringProjects.objects.get(basin=places["grenoble"])
    oyonnax = HiringProjects.objects.get(basin=places["oyonnax"])
    assert grenoble.projects == pytest.approx(30.0)
    assert oyonnax.projects == pytest.approx(10.0 + 12.0)
    assert grenoble.seasonal == pytest.approx(6.0)
    assert oyonnax.seasonal == pytest.approx(2.0)
    assert (grenoble.occupation_code, grenoble.occupation_label) == (
        "D1X40",
        "Soudeurs",
    )
    assert grenoble.family_code == "D"


@pytest.mark.django_db
def test_spread_preserves_the_totals_of_placed_basins(places, files):
    run_bmo(*files)

    total = sum(HiringProjects.objects.values_list("projects", flat=True))

    # 40 + 12 + 7; the 5 projects of the unknown basin 9999 are rejected.
    assert total == pytest.approx(59.0)


@pytest.mark.django_db
def test_confidential_cells_are_flagged_never_zero(places, files):
    run_bmo(*files)

    grenoble = HiringProjects.objects.get(basin=places["grenoble"])
    paris = HiringProjects.objects.get(basin=places["paris"])
    oyonnax = HiringProjects.objects.get(basin=places["oyonnax"])
    assert grenoble.confidential is True
    assert grenoble.difficult is None
    assert (paris.difficult, paris.seasonal, paris.confidential) == (None, None, True)
    # Oyonnax gets a known part (6 from basin 8402) and a secret one: a lower
    # bound, flagged.
    assert oyonnax.difficult == pytest.approx(6.0)
    assert oyonnax.confidential is True
    assert not HiringProjects.objects.filter(difficult=0).exists()


@pytest.mark.django_db
def test_unknown_bmo_basins_are_rejected_and_listed(places, files):
    result = run_bmo(*files)

    assert result.rejected == 1
    assert result.report["rejects"] == {"bassin_bmo_inconnu": 1}
    with result.rejects_file.open("r") as file:
        assert "9999" in file.read()


@pytest.mark.django_db
def test_next_year_basin_column_is_detected(places, files, tmp_path):
    bmo = tmp_path / "bmo_2025.csv"
    bmo.write_text(
        HEADER.format(be="BE25") + ROWS.replace("2024,", "2025,"), encoding="utf-8"
    )

    result = run_bmo(bmo, files[1])

    assert result.status == ImportStatus.SUCCEEDED, result.error_message
    assert HiringProjects.objects.filter(year=2025).count() == 3


@pytest.mark.django_db
def test_reimport_changes_nothing(places, files):
    first = run_bmo(*files)

    second = run_bmo(*files)

    assert first.inserted == 3
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 3)


@pytest.mark.django_db
def test_text_in_a_figure_refuses_the_whole_file(places, files, tmp_path):
    bmo = tmp_path / "bmo.csv"
    bmo.write_text(
        HEADER.format(be="BE24") + ROWS.replace(",12,6,0", ",douze,6,0"),
        encoding="utf-8",
    )

    result = run_bmo(bmo, files[1])

    assert result.status == ImportStatus.FAILED
    assert "Ligne 3" in result.error_message
    assert "« * »" in result.error_message
    assert not HiringProjects.objects.exists()


def test_real_bmo_file_passes_the_header_check(data_dir):
    head = check_file(data_dir / "francetravail_bmo_2024.csv")

    assert "BE24" in head.columns
