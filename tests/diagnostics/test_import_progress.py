"""Progress is written outside the import's transaction (PostgreSQL)."""

import pytest
from django.db import connection, connections, transaction

from diagnostics.importers.base import ProgressReporter
from diagnostics.models import ImportKind, ImportRun

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has a single writer: progress is recorded at the end there.",
)


def read_from_another_connection(run_id):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT rows_read, rows_total_estimate FROM diagnostics_importrun "
                "WHERE id = %s",
                [run_id],
            )
            return cursor.fetchone()
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open():
    run = ImportRun.objects.create(kind=ImportKind.SIRENE, file_name="stock.csv")

    with transaction.atomic(), ProgressReporter(run) as progress:
        ImportRun.objects.filter(pk=run.pk).exists()
        progress.update(rows_read=1234, total=5000, force=True)
        seen = read_from_another_connection(run.pk)
        transaction.set_rollback(True)

    assert seen == (1234, 5000)


@pytest.mark.django_db(transaction=True)
def test_progress_updates_are_throttled():
    run = ImportRun.objects.create(kind=ImportKind.SIRENE, file_name="stock.csv")

    with ProgressReporter(run, interval=60) as progress:
        progress.update(rows_read=10, force=True)
        progress.update(rows_read=20)

    assert read_from_another_connection(run.pk) == (10, 0)


@pytest.mark.django_db(transaction=True)
def test_progress_interval_comes_from_the_setting(settings):
    settings.IMPORT_PROGRESS_INTERVAL = 0
    run = ImportRun.objects.create(kind=ImportKind.SIRENE, file_name="stock.csv")

    with ProgressReporter(run) as progress:
        progress.update(rows_read=10, force=True)
        progress.update(rows_read=20)

    assert read_from_another_connection(run.pk) == (20, 0)
