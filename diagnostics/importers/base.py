"""The life cycle shared by every import: run status, progress, rejects file.

An import service is ``import_xxx(*, path, run, dry_run=False) -> ImportRun``.
It calls :func:`execute` with a function doing the actual work inside ONE
database transaction: on any error, or in a dry run, everything is rolled
back and the run records why. The run row itself is written outside that
transaction (before and after), and progress is written meanwhile from a
separate connection, so a progress page sees it while the import runs.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from diagnostics.importers.validation import ImportFileError, escape_formula
from diagnostics.models import ImportRun, ImportStatus

logger = logging.getLogger(__name__)
# Progress lines ("N lignes lues"); the import commands print them.
progress_logger = logging.getLogger("diagnostics.importers.progress")

UNEXPECTED_ERROR = (
    "Erreur inattendue pendant l'import : rien n'a été enregistré. "
    "L'équipe technique a été prévenue ({error})."
)


@dataclass
class Outcome:
    """Counts of one import, filled by the importer."""

    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # Rows rejected (not written), by reason code.
    rejects: Counter = field(default_factory=Counter)
    # Rows kept with a remark (e.g. no basin), by reason code.
    warnings: Counter = field(default_factory=Counter)
    details: dict = field(default_factory=dict)


class ProgressReporter:
    """Writes a run's progress at most every ``interval`` seconds
    (``settings.IMPORT_PROGRESS_INTERVAL`` by default).

    On PostgreSQL through a separate autocommit connection: the import's own
    transaction stays open for minutes and must not hold the run row. SQLite
    allows a single writer, so there progress is only written at the end.
    """

    def __init__(self, run: ImportRun, *, interval: float | None = None):
        self.run = run
        self.interval = (
            settings.IMPORT_PROGRESS_INTERVAL if interval is None else interval
        )
        self._last = 0.0
        self._connection = None
        self.enabled = connection.vendor == "postgresql"

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def update(
        self,
        *,
        rows_read: int,
        rejected: int = 0,
        total: int | None = None,
        force=False,
    ) -> None:
        if total is not None:
            # Kept on the instance too: the final save must not erase it.
            self.run.rows_total_estimate = total
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        progress_logger.info(
            "%s lignes lues%s",
            f"{rows_read:,}".replace(",", " "),
            f", {rejected} rejetée(s)" if rejected else "",
        )
        if not self.enabled:
            return
        try:
            if self._connection is None:
                self._connection = connections.create_connection("default")
            with self._connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE diagnostics_importrun SET rows_read = %s, rejected = %s, "
                    "rows_total_estimate = coalesce(%s, rows_total_estimate) "
                    "WHERE id = %s",
                    [rows_read, rejected, total, self.run.pk],
                )
        except Exception:
            # Progress is a nicety: never fail an import because of it.
            logger.warning("Could not record progress of run %s", self.run.pk)
            self.enabled = False


def sha256_of(path: Path, chunk_size: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_path(run: ImportRun, path: Path | str | None) -> Path:
    if path is not None:
        return Path(path)
    stored = Path(run.file_path)
    return stored if stored.is_absolute() else Path(settings.MEDIA_ROOT) / stored


def rejects_path(run: ImportRun) -> tuple[Path, str]:
    """Absolute path and MEDIA_ROOT-relative name of a run's rejects CSV."""
    name = f"imports/rejects/import-{run.pk}-rejets.csv"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, name


class RejectsWriter:
    """The rejected rows of small imports, as a CSV with the reason."""

    def __init__(self, run: ImportRun, columns: list[str]):
        self.path, self.name = rejects_path(run)
        self._file = self.path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(["ligne", "motif", *columns])
        self.count = 0

    def add(self, line: int, reason: str, values) -> None:
        self.count += 1
        self._writer.writerow(
            [line, reason, *(escape_formula(str(value)) for value in values)]
        )

    def close(self) -> None:
        self._file.close()


# Key of the advisory lock (with the run's id) that the process running an
# import holds: a run still "running" without it was interrupted.
RUN_LOCK = 0x494D5054  # "IMPT"
INTERRUPTED = (
    "L'import s'est interrompu (processus arrêté ou redémarré) : rien n'a été "
    "enregistré. Relancez-le."
)


@contextmanager
def _holding(run: ImportRun):
    """Hold the run's advisory lock while its import runs (PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, run.pk])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, run.pk])
        except Exception:  # a lost connection released it already
            logger.warning("Could not release the lock of run %s", run.pk)


def mark_interrupted() -> int:
    """Mark as failed the runs "in progress" whose process is gone.

    A killed worker (or a restarted server) cannot record its failure: its
    run would show "En cours" for ever. Its advisory lock went with its
    connection. PostgreSQL only (SQLite has no such locks).
    """
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.id FROM diagnostics_importrun AS r
            WHERE r.status = %s AND NOT EXISTS (
                SELECT FROM pg_locks AS l
                WHERE l.locktype = 'advisory' AND l.granted
                    AND l.database = (
                        SELECT oid FROM pg_database WHERE datname = current_database()
                    )
                    AND l.classid = %s AND l.objid = r.id AND l.objsubid = 2
            )
            """,
            [ImportStatus.RUNNING, RUN_LOCK],
        )
        stale = [pk for (pk,) in cursor.fetchall()]
    if not stale:
        return 0
    return ImportRun.objects.filter(pk__in=stale, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED,
        error_message=INTERRUPTED,
        finished_at=timezone.now(),
    )


def execute(
    run: ImportRun,
    *,
    path: Path,
    dry_run: bool,
    work: Callable[[Path, ProgressReporter], Outcome],
) -> ImportRun:
    """Run ``work`` in one transaction and record the outcome on ``run``."""
    with _holding(run):
        return _execute(run, path=path, dry_run=dry_run, work=work)


def _execute(run: ImportRun, *, path: Path, dry_run: bool, work) -> ImportRun:
    run.status = ImportStatus.RUNNING
    run.started_at = timezone.now()
    run.finished_at = None
    run.dry_run = dry_run
    run.error_message = ""
    if not run.file_name:
        run.file_name = path.name
    if not run.size and path.exists():
        run.size = path.stat().st_size
    run.save()
    try:
        if not path.exists():
            raise ImportFileError(f"Le fichier {run.file_name} est introuvable.")
        with ProgressReporter(run) as progress, transaction.atomic():
            outcome = work(path, progress)
            if dry_run:
                transaction.set_rollback(True)
    except ImportFileError as error:
        _fail(run, str(error))
    except Exception as error:
        logger.exception("Import run %s failed", run.pk)
        _fail(run, UNEXPECTED_ERROR.format(error=type(error).__name__))
    else:
        if not run.checksum:
            run.checksum = sha256_of(path)
        run.rows_read = outcome.rows_read
        run.inserted = outcome.inserted
        run.updated = outcome.updated
        run.unchanged = outcome.unchanged
        run.rejected = outcome.rejected
        run.report = {
            "rejects": dict(outcome.rejects),
            "warnings": dict(outcome.warnings),
            **outcome.details,
        }
        run.status = ImportStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.save()
    return run


def _fail(run: ImportRun, message: str) -> None:
    run.refresh_from_db(fields=["rows_read", "rows_total_estimate"])
    run.rejects_file.name = ""
    run.report = {}
    run.status = ImportStatus.FAILED
    run.error_message = message
    run.inserted = run.updated = run.unchanged = 0
    run.finished_at = timezone.now()
    run.save()
