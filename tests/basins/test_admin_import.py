"""The admin's django-import-export import: preview, per-row errors, confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from basins.models import Basin, Commune, Department, Region
from basins.resources import BasinResource
from tests.basins.factories import BasinFactory
from tests.basins.zones_helpers import table_sizes

ZONES = "ZE2020,LIBZE2020,NB_COM\n8409,Grenoble,189\n8425,Oyonnax,35\n"
COMMUNES = (
    "CODGEO,LIBGEO,ZE2020,LIBZE2020,ZE2020_PARTIE_REG,DEP,REG\n"
    "38185,Grenoble,8409,Grenoble,,38,84\n"
    "38421,Saint-Martin-d'Hères,8409,Grenoble,,38,84\n"
    "01283,Oyonnax,8425,Oyonnax,,01,84\n"
)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def csv_format(client, import_url):
    """The index of the CSV format in the admin's import form."""
    form = client.get(import_url).context["form"]
    return next(
        value for value, label in form.fields["format"].choices if label == "csv"
    )


def upload(client, model, content, name="fichier.csv"):
    import_url = reverse(f"admin:basins_{model}_import")
    return client.post(
        import_url,
        {
            "resource": "0",
            "format": csv_format(client, import_url),
            "import_file": SimpleUploadedFile(
                name, content.encode("utf-8"), content_type="text/csv"
            ),
        },
    )


def confirm(client, model, preview):
    return client.post(
        reverse(f"admin:basins_{model}_process_import"),
        preview.context["confirm_form"].initial,
    )


@pytest.mark.django_db
def test_import_page_opens_for_the_admin(admin_client):
    response = admin_client.get(reverse("admin:basins_basin_import"))
    assert response.status_code == 200
    assert "ZE2020" in response.text


@pytest.mark.django_db
def test_basin_preview_shows_the_rows_and_writes_nothing(admin_client):
    response = upload(admin_client, "basin", ZONES)
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    result = response.context["result"]
    assert [row.import_type for row in result.rows] == ["new", "new"]
    assert "Grenoble" in response.text
    assert "Oyonnax" in response.text
    assert Basin.objects.count() == 0


@pytest.mark.django_db
def test_basin_confirm_writes_the_rows(admin_client):
    preview = upload(admin_client, "basin", ZONES)
    response = confirm(admin_client, "basin", preview)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:basins_basin_changelist")
    assert dict(Basin.objects.values_list("code", "name")) == {
        "8409": "Grenoble",
        "8425": "Oyonnax",
    }


@pytest.mark.django_db
def test_basin_reimport_of_the_same_file_changes_nothing(admin_client):
    confirm(admin_client, "basin", upload(admin_client, "basin", ZONES))
    preview = upload(admin_client, "basin", ZONES)
    result = preview.context["result"]
    assert result.totals["new"] == 0
    assert result.totals["update"] == 0
    assert result.totals["skip"] == 2


@pytest.mark.django_db
def test_basin_file_with_one_bad_row_shows_its_error_and_writes_nothing(admin_client):
    content = ZONES + "84x9,Code faux,3\n"
    response = upload(admin_client, "basin", content)
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [3]
    assert "confirm_form" not in response.context
    assert "84x9" in response.text
    assert Basin.objects.count() == 0


@pytest.mark.django_db
def test_basin_file_missing_a_column_is_refused_by_name(admin_client):
    response = upload(admin_client, "basin", ZONES.replace("LIBZE2020", "NOM"))
    result = response.context["result"]
    assert result.has_errors()
    assert "Colonnes manquantes dans le fichier : LIBZE2020." in response.text
    assert "confirm_form" not in response.context
    assert Basin.objects.count() == 0


@pytest.mark.django_db
def test_semicolon_file_is_refused_in_french(admin_client):
    response = upload(admin_client, "basin", ZONES.replace(",", ";"))
    assert "utilise « ; » comme séparateur" in response.text
    assert Basin.objects.count() == 0


@pytest.mark.django_db
def test_commune_import_creates_departments_regions_and_links(admin_client):
    BasinFactory(code="8409", name="Grenoble", departments=[])
    BasinFactory(code="8425", name="Oyonnax", departments=[])
    preview = upload(admin_client, "commune", COMMUNES)
    assert "Saint-Martin-d" in preview.text
    assert Commune.objects.count() == 0
    assert Department.objects.count() == 0

    response = confirm(admin_client, "commune", preview)

    assert response.status_code == 302
    assert Commune.objects.get(code="38421").basin.code == "8409"
    assert Department.objects.get(code="38").region == Region.objects.get(code="84")
    grenoble = Basin.objects.get(code="8409")
    assert list(grenoble.departments.values_list("code", flat=True)) == ["38"]
    assert list(grenoble.regions.values_list("code", flat=True)) == ["84"]


@pytest.mark.django_db
def test_commune_file_with_one_bad_row_writes_nothing(admin_client):
    BasinFactory(code="8409", name="Grenoble", departments=[])
    BasinFactory(code="8425", name="Oyonnax", departments=[])
    before = table_sizes()
    content = COMMUNES + "38999,Ailleurs,9999,Inconnue,,38,84\n"
    response = upload(admin_client, "commune", content)
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [4]
    assert "confirm_form" not in response.context
    assert "Zone d&#x27;emploi inconnue « 9999 »." in response.text
    assert "38999" in response.text
    assert table_sizes() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["=1+1", "+33", "-2", "@SUM(A1)", "\tx", " =cmd"])
def test_export_escapes_cells_that_look_like_formulas(name):
    BasinFactory(code="8409", name=name, departments=[])
    dataset = BasinResource().export()
    assert dataset.dict[0]["LIBZE2020"] == "'" + name


@pytest.mark.django_db
def test_export_keeps_ordinary_names():
    BasinFactory(code="8409", name="Saint-Étienne", departments=[])
    assert BasinResource().export().dict[0] == {
        "ZE2020": "8409",
        "LIBZE2020": "Saint-Étienne",
    }
