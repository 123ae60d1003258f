"""An import left pending says why: no worker took it, or another one runs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import ImportRun, ImportStatus
from tests.diagnostics.factories import ImportRunFactory
from tests.diagnostics.test_import_pages import worker_alive

NO_WORKER = (
    "Aucun processus de tâches de fond n'a pris en charge cet import : "
    "lancez <code>make worker</code> ou vérifiez le service worker."
)
QUEUED = "un autre import est en cours, celui-ci commencera après lui"

pytestmark = pytest.mark.django_db


def pending(seconds_ago: float) -> ImportRun:
    run = ImportRunFactory()
    ImportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return run


def detail(client, run, **headers):
    response = client.get(run.get_absolute_url(), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_fresh_pending_import_just_waits(admin_client):
    html = detail(admin_client, pending(seconds_ago=2))

    assert "En attente du traitement en tâche de fond." in html
    assert "Aucun processus" not in html


def test_a_pending_import_nobody_took_says_no_worker_runs(admin_client):
    html = detail(admin_client, pending(seconds_ago=11))

    assert NO_WORKER in html
    assert 'id="import-no-worker"' in html
    assert "En attente du traitement en tâche de fond." not in html


def test_the_notice_comes_with_the_progress_polling(admin_client):
    """The panel polls itself (htmx): the notice appears without a reload."""
    html = detail(admin_client, pending(seconds_ago=11), HX_Request="true")

    assert NO_WORKER in html
    assert "<h1>" not in html  # the #progress partial only


def test_the_delay_comes_from_the_setting(admin_client, settings):
    settings.IMPORT_WORKER_NOTICE_AFTER = 60

    assert NO_WORKER not in detail(admin_client, pending(seconds_ago=30))
    assert NO_WORKER in detail(admin_client, pending(seconds_ago=61))


def test_a_pending_import_behind_a_running_one_is_queued(admin_client):
    running = ImportRunFactory(status=ImportStatus.RUNNING)
    run = pending(seconds_ago=120)

    with worker_alive(running):
        html = detail(admin_client, run)

    assert QUEUED in html
    assert "Aucun processus" not in html


def test_a_running_or_finished_import_has_no_notice(admin_client):
    for status in (ImportStatus.RUNNING, ImportStatus.SUCCEEDED, ImportStatus.FAILED):
        run = pending(seconds_ago=120)
        ImportRun.objects.filter(pk=run.pk).update(status=status)
        run.refresh_from_db()

        with worker_alive(run):
            html = detail(admin_client, run)

        assert "Aucun processus" not in html, status
        assert QUEUED not in html, status


def test_the_list_says_when_pending_imports_have_no_worker(admin_client):
    url = reverse("diagnostics:import_list")
    pending(seconds_ago=3)
    assert "Aucun processus" not in admin_client.get(url).content.decode()

    pending(seconds_ago=30)
    html = admin_client.get(url).content.decode()

    assert (
        "Aucun processus de tâches de fond n'a pris en charge les imports en "
        "attente : lancez <code>make worker</code>" in html
    )
