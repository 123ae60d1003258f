"""Upload page, run page (HTMX progress), runs list, rejects download, task."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from diagnostics import forms
from diagnostics.importers import base, pgload
from diagnostics.models import ImportKind, ImportRun, ImportStatus, UnemploymentRate
from diagnostics.tasks import run_import
from tests.basins.factories import BasinFactory
from tests.diagnostics.factories import FinishedImportRunFactory, ImportRunFactory

CSV = "ZE2020,LIBZE2020,2023-T2,2023-T3\n0051,Alençon,6.4,6.5\n9999,Nulle part,1,2\n"


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }


@contextmanager
def worker_alive(run):
    """What a live import holds: its run's advisory lock (PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with pgload.side_connection() as worker:
        worker.execute("SELECT pg_advisory_lock(%s, %s)", [base.RUN_LOCK, run.pk])
        yield


@pytest.fixture
def alencon(db):
    return BasinFactory(code="0051", name="Alençon")


def upload(client, content=CSV, name="chomage.csv", kind=ImportKind.UNEMPLOYMENT):
    return client.post(
        reverse("diagnostics:import_upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, content.encode("utf-8"))},
    )


@pytest.mark.django_db
def test_upload_stores_the_file_queues_the_task_and_redirects(
    client, admin_user, alencon, settings, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client)

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert run.user == admin_user
    assert run.task_id
    assert len(run.checksum) == 64
    assert (settings.MEDIA_ROOT / run.file_path).read_text() == CSV
    assert UnemploymentRate.objects.get(quarter="2023-T3").rate == Decimal("6.5")


@pytest.mark.django_db
def test_task_runs_the_import_of_a_stored_run(alencon, settings, tmp_path):
    path = tmp_path / "chomage.csv"
    path.write_text(CSV, encoding="utf-8")
    run = ImportRunFactory(file_path=str(path))

    result = run_import.enqueue(run.pk)

    assert result.return_value == ImportStatus.SUCCEEDED
    run.refresh_from_db()
    assert (run.inserted, run.rejected) == (2, 1)


@pytest.mark.django_db
def test_upload_refuses_a_bad_file_and_keeps_nothing(client, admin_user, settings):
    client.force_login(admin_user)

    response = upload(client, content=CSV.replace(",", ";"))

    assert response.status_code == 422
    assert "« ; » comme séparateur" in response.content.decode()
    assert not ImportRun.objects.exists()
    uploads = settings.MEDIA_ROOT / "imports" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


@pytest.mark.django_db
def test_upload_refuses_a_file_over_the_size_limit(client, admin_user, monkeypatch):
    monkeypatch.setitem(forms.SIZE_LIMITS, ImportKind.UNEMPLOYMENT, 10)
    client.force_login(admin_user)

    response = upload(client)

    assert response.status_code == 422
    assert "Fichier trop volumineux" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_upload_refuses_a_non_csv_name(client, admin_user):
    client.force_login(admin_user)

    response = upload(client, name="chomage.xlsx")

    assert response.status_code == 422
    assert "extension .csv" in response.content.decode()


@pytest.mark.django_db
def test_upload_reads_the_vintage_in_the_file(
    client, admin_user, alencon, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client)
    run = ImportRun.objects.get()
    assert run.vintage == "trimestres 2023-T2 à 2023-T3"
    assert not run.generated


@pytest.mark.django_db
def test_a_declared_vintage_wins_over_the_file(
    client, admin_user, alencon, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("diagnostics:import_upload"),
            {
                "kind": ImportKind.UNEMPLOYMENT,
                "file": SimpleUploadedFile("chomage.csv", CSV.encode()),
                "vintage": "  chômage localisé, publication de janvier 2024 ",
                "dry_run": "on",
            },
        )
    run = ImportRun.objects.get()
    assert run.vintage == "chômage localisé, publication de janvier 2024"
    assert run.dry_run


@pytest.mark.django_db
def test_an_uploaded_generated_stock_is_flagged(
    client, admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    from bench import sirene

    path = tmp_path / "StockEtablissement_utf8.csv"
    sirene.write(path, rows=20, seed=3, data_dir=settings.DATA_DIR)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, content=path.read_text(), name=path.name, kind=ImportKind.SIRENE)
    run = ImportRun.objects.get()
    assert run.generated
    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'id="import-generated"' in page
    assert "générateur de démonstration du projet" in page
    assert "Établissements SIRENE (stock généré pour la démonstration)" in page
    assert "stock INSEE" not in page


@pytest.mark.django_db
def test_every_user_reads_an_import_page_without_hashes_or_rejected_rows(
    client, member
):
    run = FinishedImportRunFactory(
        checksum="ab" * 32, vintage="trimestres 2003-T1 à 2023-T3"
    )
    client.force_login(member)

    response = client.get(run.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "INSEE" in page
    assert "trimestres 2003-T1 à 2023-T3" in page
    assert "chomage.csv" in page
    assert 'id="import-inserted">2<' in page
    assert "Zone d&#x27;emploi absente : 1" in page  # the reasons, counted
    assert "ab" * 32 not in page
    assert reverse("diagnostics:import_rejects", args=[run.pk]) not in page
    assert reverse("diagnostics:import_list") not in page
    assert reverse("diagnostics:methods") in page
    # The rejected rows themselves stay with the staff.
    rejects = client.get(reverse("diagnostics:import_rejects", args=[run.pk]))
    assert rejects.status_code == 404


@pytest.mark.django_db
def test_staff_see_the_hash_and_who_uploaded(client, admin_user):
    run = FinishedImportRunFactory(checksum="cd" * 32, user=admin_user)
    client.force_login(admin_user)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "cd" * 32 in page
    assert "Déposé par" in page
    assert reverse("diagnostics:import_list") in page


@pytest.mark.django_db
def test_upload_page_is_refused_to_a_committee_member(client, member):
    client.force_login(member)

    assert client.get(reverse("diagnostics:import_upload")).status_code == 403


@pytest.mark.django_db
def test_running_run_page_polls_its_progress(client, admin_user):
    run = ImportRunFactory(
        status=ImportStatus.RUNNING, rows_read=250, rows_total_estimate=1000
    )
    client.force_login(admin_user)

    with worker_alive(run):
        page = client.get(run.get_absolute_url()).content.decode()

    assert 'id="import-progress"' in page
    assert 'value="25"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "En cours" in page


@pytest.mark.django_db
def test_finished_run_page_stops_polling_and_links_the_rejects(client, admin_user):
    run = FinishedImportRunFactory()
    client.force_login(admin_user)

    page = client.get(run.get_absolute_url()).content.decode()

    assert "hx-trigger" not in page
    assert 'id="import-status"' in page
    assert "Terminé" in page
    assert reverse("diagnostics:import_rejects", args=[run.pk]) in page
    assert "Zone d&#x27;emploi absente : 1" in page


@pytest.mark.django_db
def test_failed_run_page_shows_the_french_error(client, admin_user):
    run = ImportRunFactory(
        status=ImportStatus.FAILED, error_message="Le fichier x.csv est vide."
    )
    client.force_login(admin_user)

    page = client.get(run.get_absolute_url()).content.decode()

    assert "Le fichier x.csv est vide." in page
    assert "Échec" in page


@pytest.mark.django_db
def test_htmx_progress_fragment_matches_the_full_page(client, admin_user):
    run = ImportRunFactory(status=ImportStatus.RUNNING, rows_read=10)
    client.force_login(admin_user)

    with worker_alive(run):
        full = client.get(run.get_absolute_url()).content.decode()
        fragment = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})

    body = fragment.content.decode().strip()
    assert body.startswith('<div id="import-panel"')
    assert "<html" not in body
    assert body in full


@pytest.mark.django_db
def test_rejects_download_is_the_csv_file(client, admin_user):
    run = FinishedImportRunFactory()
    client.force_login(admin_user)

    response = client.get(reverse("diagnostics:import_rejects", args=[run.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"ligne,motif,ZE2020")


@pytest.mark.django_db
def test_rejects_download_is_404_without_rejects(client, admin_user):
    run = ImportRunFactory(status=ImportStatus.SUCCEEDED)
    client.force_login(admin_user)

    response = client.get(reverse("diagnostics:import_rejects", args=[run.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_runs_list_is_paginated_with_bounded_queries(
    client, admin_user, django_assert_max_num_queries
):
    ImportRunFactory.create_batch(25, user=admin_user)
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("diagnostics:import_list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("chomage.csv") == 20
    assert "1 / 2" in page


@pytest.mark.django_db
def test_runs_list_empty_state(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("diagnostics:import_list")).content.decode()

    assert "Aucun import pour l'instant" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks")
@pytest.mark.django_db
def test_a_run_whose_worker_died_is_shown_as_interrupted(client, admin_user):
    dead = ImportRunFactory(status=ImportStatus.RUNNING, rows_read=10)
    alive = ImportRunFactory(status=ImportStatus.RUNNING, rows_read=10)
    client.force_login(admin_user)

    with worker_alive(alive):
        page = client.get(dead.get_absolute_url()).content.decode()
        listing = client.get(reverse("diagnostics:import_list"))

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportStatus.FAILED
    assert "interrompu" in page
    assert dead.finished_at is not None
    assert alive.status == ImportStatus.RUNNING
    assert listing.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks")
@pytest.mark.django_db
def test_a_running_import_holds_its_run_lock(tmp_path):
    path = tmp_path / "chomage.csv"
    path.write_text(CSV, encoding="utf-8")
    run = ImportRunFactory(status=ImportStatus.PENDING, file_name="chomage.csv")
    seen = []

    def work(path, progress):
        seen.append(base.mark_interrupted())
        return base.Outcome(rows_read=1)

    base.execute(run, path=path, dry_run=False, work=work)

    run.refresh_from_db()
    assert seen == [0]
    assert run.status == ImportStatus.SUCCEEDED
