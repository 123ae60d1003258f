"""The demo data: official zones when present, one account per role."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from basins.management.commands.load_demo import DEMO_BASINS, DEMO_PASSWORD
from basins.models import Basin, Commune, Membership
from tests.basins.zones_helpers import (
    COMMUNES_FILE,
    POPULATIONS_FILE,
    ZONES_FILE,
    table_sizes,
)

DEMO_CODES = {code for code, _, _ in DEMO_BASINS}


def copy_rows(source, target, keep):
    with open(source, encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        rows = [row for row in reader if keep(row)]
        fields = reader.fieldnames
    with open(target, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def demo_data_dir(tmp_path, data_dir, settings):
    """The official files, cut down to the five demo zones."""
    copy_rows(
        data_dir / ZONES_FILE,
        tmp_path / ZONES_FILE,
        lambda r: r["ZE2020"] in DEMO_CODES,
    )
    copy_rows(
        data_dir / COMMUNES_FILE,
        tmp_path / COMMUNES_FILE,
        lambda r: r["ZE2020"] in DEMO_CODES,
    )
    copy_rows(
        data_dir / POPULATIONS_FILE,
        tmp_path / POPULATIONS_FILE,
        lambda r: (
            r["departement"]
            in {"01", "12", "18", "25", "36", "38", "46", "70", "82", "90"}
        ),
    )
    settings.DATA_DIR = tmp_path
    return tmp_path


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_the_five_zones_with_their_communes(demo_data_dir):
    load_demo()
    basins = Basin.objects.with_stats().in_bulk(field_name="code")
    assert set(basins) == DEMO_CODES
    assert basins["8409"].communes_count == 189
    assert basins["7611"].communes_count == 136
    assert basins["8409"].population > 400_000
    assert sorted(basins["2714"].departments.values_list("code", flat=True)) == [
        "25",
        "70",
        "90",
    ]


@pytest.mark.django_db
def test_demo_creates_one_account_per_role(demo_data_dir):
    load_demo()
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(DEMO_PASSWORD)
    for username, visible in [
        ("membre.grenoble", ["8409"]),
        ("pilote.grenoble", ["8409"]),
        ("pilote.figeac", ["7611"]),
        ("prefecture.isere", ["8409"]),
        ("prefecture.indre", ["2405"]),
        ("prefecture.ara", ["8409", "8425"]),
    ]:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        codes = sorted(Basin.objects.visible_to(user).values_list("code", flat=True))
        assert codes == visible, username
    assert list(
        Basin.objects.led_by(User.objects.get(username="pilote.grenoble")).values_list(
            "code", flat=True
        )
    ) == ["8409"]


@pytest.mark.django_db
def test_demo_prints_the_logins(demo_data_dir):
    output = load_demo()
    assert f"mot de passe {DEMO_PASSWORD}" in output
    assert "pilote.grenoble      Pilote du comité de bassin — Grenoble (8409)" in output
    assert "prefecture.isere     Référent préfecture — Isère (38)" in output
    assert "prefecture.ara       Référent préfecture — Auvergne-Rhône-Alpes" in output


@pytest.mark.django_db
def test_demo_is_idempotent_and_keeps_changed_passwords(demo_data_dir):
    load_demo()
    user = get_user_model().objects.get(username="pilote.grenoble")
    user.set_password("Un-autre-mot-2026")
    user.save()
    sizes = table_sizes()
    memberships = Membership.objects.count()

    output = load_demo()

    assert "basins: 0 créé(s), 0 modifié(s), 5 inchangé(s)" in output
    assert table_sizes() == sizes
    assert Membership.objects.count() == memberships
    user.refresh_from_db()
    assert user.check_password("Un-autre-mot-2026")


@pytest.mark.django_db
def test_demo_without_data_files_still_gives_the_five_basins(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    output = load_demo()
    assert "Fichiers INSEE absents" in output
    assert set(Basin.objects.values_list("code", flat=True)) == DEMO_CODES
    assert Commune.objects.count() == 0
    assert Membership.objects.filter(basin__code="2714").exists()
