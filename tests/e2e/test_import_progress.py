"""A SIRENE import in a real browser, run by a real django_tasks_db worker.

The admin uploads a generated SIRENE stock (bench/sirene.py, the official
format), follows the HTMX progress bar while a worker runs the task, and
reads the counts at the end; a malformed file is refused on the form.

The worker runs in a thread of the test process, on the live server's test
database: a subprocess could not see SQLite's in-memory test database. The
progress steps are checked on PostgreSQL only: on SQLite (one writer at a
time) the importer records its progress at the end.
"""

import csv
import io
import itertools
import re
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from basins.models import Commune
from bench import sirene
from diagnostics.importers import base
from diagnostics.importers.sirene import REJECT_LABELS
from diagnostics.models import Establishment, ImportKind, ImportRun, ImportStatus
from tests.e2e.helpers import axe_check, login

pytestmark = pytest.mark.slow

ROWS = 30_000
SEED = 20_261_123
UPLOAD_URL = reverse("diagnostics:import_upload")
WAIT = 30  # seconds, for the worker thread
FINISH_TIMEOUT = 40_000  # milliseconds, for the page


def number(value: int) -> str:
    """A count as the page prints it (regex): French thousands separator."""
    return r"\s".join(f"{value:,}".split(","))


def cell(value: int) -> re.Pattern:
    return re.compile(rf"^\s*{number(value)}\s*$")


# --- Files -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads and rejects files land in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def sirene_file(tmp_path_factory):
    """A generated stock of ROWS establishments, plus two rows to reject."""
    path = tmp_path_factory.mktemp("sirene") / "StockEtablissement_utf8.csv"
    sirene.write(path, rows=ROWS, seed=SEED)
    with path.open(encoding="utf-8", newline="") as file:
        file.readline()
        first = file.readline()
    # siren, nic and siret lead every row, digits only: safe to split.
    siren, nic, siret, rest = first.split(",", 3)
    with path.open("a", encoding="utf-8", newline="") as file:
        file.write(first)  # line ROWS + 2: the same SIRET again
        file.write(f"{siren},{nic},123,{rest}")  # line ROWS + 3: bad SIRET
    return path


def commune_counts(path):
    """Establishments of the generated rows, per commune code."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = itertools.islice(csv.DictReader(file), ROWS)
        return Counter(row["codeCommuneEtablissement"] for row in rows)


def malformed_file(sirene_file, tmp_path, problem):
    """The header and first row of the stock, saved the wrong way."""
    with sirene_file.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header, row = next(reader), next(reader)
    row[header.index("enseigne1Etablissement")] = "Boulangerie Hélène"
    text = io.StringIO()
    delimiter = ";" if problem == "semicolon" else ","
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(
        [header, row]
    )
    path = tmp_path / "StockEtablissement.csv"
    path.write_bytes(
        text.getvalue().encode("cp1252" if problem == "cp1252" else "utf-8")
    )
    return path


# --- Worker ----------------------------------------------------------------


class ProgressGate:
    """Holds the worker right after chosen progress writes, until released.

    On PostgreSQL a 30,000-row import takes about a second and the page
    polls every second: left alone, the bar would be caught between 0 and
    100 % only by luck. So the worker stops just after writing its progress
    (the import's transaction still open, none of the rows committed) and the
    test checks that the page shows exactly that figure before letting it go
    on. A progress committed only with the import would leave the bar at 0.
    """

    def __init__(self, fractions):
        self.fractions = list(fractions)
        self.total = None
        self.rows_read = None
        self._paused = threading.Event()
        self._resume = threading.Event()

    def after_update(self, *, rows_read, total):
        if total is not None:
            self.total = total
        if not self.fractions or not self.total or rows_read >= self.total:
            return
        if rows_read < self.fractions[0] * self.total:
            return
        self.fractions.pop(0)
        self.rows_read = rows_read
        self._resume.clear()
        self._paused.set()
        if not self._resume.wait(WAIT):
            raise RuntimeError("the test never released the import")

    def wait_until_paused(self) -> int:
        """Rows read when the worker stopped."""
        assert self._paused.wait(WAIT), "the import never reached the next step"
        self._paused.clear()
        return self.rows_read

    def release(self):
        self._resume.set()

    def open(self):
        self.fractions = []
        self._resume.set()


@pytest.fixture
def progress_gate(monkeypatch, settings):
    # Every chunk of the file then records its progress.
    settings.IMPORT_PROGRESS_INTERVAL = 0
    gate = ProgressGate([0.25, 0.6])
    update = base.ProgressReporter.update

    def gated_update(self, *, rows_read, rejected=0, total=None, force=False):
        update(self, rows_read=rows_read, rejected=rejected, total=total, force=force)
        gate.after_update(rows_read=rows_read, total=total)

    monkeypatch.setattr(base.ProgressReporter, "update", gated_update)
    yield gate
    gate.open()


@pytest.fixture
def start_worker():
    """Start a django_tasks_db worker, for one task, in a thread."""
    started = []

    def start():
        worker = Worker(
            queue_names=["default"],
            interval=0.05,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=1,
            worker_id="e2e-import-progress",
            excluded_queue_names=[],
        )
        errors = []

        def run():
            try:
                worker.run()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                # This thread's own connections; the test keeps its own.
                connections.close_all()

        thread = threading.Thread(target=run, name="db_worker", daemon=True)
        thread.start()
        started.append((worker, thread, errors))

    yield start
    for worker, thread, errors in started:
        worker.running = False
        thread.join(WAIT)
        assert not thread.is_alive(), "the worker thread did not stop"
        assert not errors, errors


# --- Tests -----------------------------------------------------------------


def upload(page, path, *, check_axe=False):
    page.goto(UPLOAD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Importer un fichier de données publiques"
    )
    if check_axe:
        axe_check(page)
    page.get_by_label("Type de données").select_option(ImportKind.SIRENE)
    page.get_by_label("Fichier CSV").set_input_files(path)
    page.get_by_role("button", name="Envoyer et importer").click()


def test_admin_imports_a_sirene_file_with_a_background_worker(
    page, admin_user, territory, sirene_file, start_worker
):
    counts = commune_counts(sirene_file)
    # The two biggest communes of the file go to the Grenoble basin: their
    # establishments get it, the others are kept without a basin.
    communes = sorted((c for c in counts if c.isdigit()), key=counts.get)[-2:]
    for code in communes:
        Commune.objects.create(
            code=code,
            name=code,
            department=territory["isere"],
            basin=territory["grenoble"],
        )
    login(page, admin_user.username)
    upload(page, sirene_file, check_axe=True)

    run = ImportRun.objects.get()
    expect(page).to_have_url(re.compile(rf"{run.get_absolute_url()}$"))
    status = page.locator("#import-status")
    progress = page.locator("#import-progress")
    # No worker yet: the run waits, and says so.
    expect(status).to_have_text("En attente")
    expect(progress).to_have_attribute("value", "0")
    expect(
        page.get_by_text("En attente du traitement en tâche de fond.")
    ).to_be_visible()
    axe_check(page)

    start_worker()
    expect(status).to_have_text("Terminé", timeout=FINISH_TIMEOUT)
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator("label[for=import-progress]")).to_have_text(
        "Avancement de l'import : 100 %"
    )
    expect(page.locator("#import-inserted")).to_have_text(cell(ROWS))
    expect(page.locator("#import-updated")).to_have_text(cell(0))
    expect(page.locator("#import-unchanged")).to_have_text(cell(0))
    expect(page.locator("#import-rejected")).to_have_text(cell(2))
    for reason in ("siret_en_double", "siret_invalide"):
        label = REJECT_LABELS[reason]
        expect(page.get_by_text(f"{label} : 1", exact=True)).to_be_visible()
    axe_check(page)

    rejects = page.get_by_role("link", name="Télécharger les lignes rejetées")
    answer = page.request.get(rejects.get_attribute("href"))
    assert answer.status == 200
    lines = list(csv.reader(io.StringIO(answer.text())))
    assert lines[0][:2] == ["ligne", "motif"]
    assert [line[:2] for line in lines[1:]] == [
        [str(ROWS + 2), "siret_en_double"],
        [str(ROWS + 3), "siret_invalide"],
    ]

    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.error_message
    assert (run.rows_read, run.inserted, run.rejected) == (ROWS + 2, ROWS, 2)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert Establishment.objects.count() == ROWS
    assert Establishment.objects.filter(import_run=run).count() == ROWS
    assert Establishment.objects.filter(basin=territory["grenoble"]).count() == sum(
        counts[code] for code in communes
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite allows a single writer: the importer records its progress "
    "only at the end there (diagnostics/importers/base.py).",
)
def test_progress_bar_moves_while_the_worker_imports(
    page, admin_user, sirene_file, start_worker, progress_gate
):
    login(page, admin_user.username)
    upload(page, sirene_file)
    run = ImportRun.objects.get()
    expect(page).to_have_url(re.compile(rf"{run.get_absolute_url()}$"))
    status = page.locator("#import-status")
    progress = page.locator("#import-progress")
    label = page.locator("label[for=import-progress]")
    expect(status).to_have_text("En attente")
    start_worker()

    seen = []
    for _step in range(2):
        rows_read = progress_gate.wait_until_paused()
        percent = int(100 * rows_read / progress_gate.total)
        assert 0 < percent < 100
        expect(status).to_have_text("En cours")
        expect(progress).to_have_attribute("value", str(percent))
        expect(label).to_have_text(f"Avancement de l'import : {percent} %")
        expect(page.locator("#import-panel")).to_contain_text(
            re.compile(
                rf"{number(rows_read)} lignes lues sur environ "
                rf"{number(progress_gate.total)}"
            )
        )
        seen.append(percent)
        progress_gate.release()
    assert seen[0] < seen[1], seen

    expect(status).to_have_text("Terminé", timeout=FINISH_TIMEOUT)
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator("#import-inserted")).to_have_text(cell(ROWS))
    assert Establishment.objects.count() == ROWS


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("cp1252", "n'est pas encodé en UTF-8"),
        ("semicolon", "utilise « ; » comme séparateur"),
    ],
)
def test_malformed_file_is_refused_on_the_form(
    page, console_errors, admin_user, sirene_file, tmp_path, settings, problem, message
):
    path = malformed_file(sirene_file, tmp_path, problem)
    login(page, admin_user.username)
    upload(page, path)

    expect(page.locator("#id_file_error")).to_contain_text(message)
    # The message is tied to the field for screen readers (Django's own ids).
    expect(page.get_by_label("Fichier CSV")).to_have_attribute(
        "aria-describedby", "id_file_helptext id_file_error"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Importer un fichier de données publiques"
    )
    axe_check(page)
    assert not ImportRun.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not Establishment.objects.exists()
    uploads = settings.MEDIA_ROOT / "imports" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    expected = [e for e in console_errors if "status of 422" in e]
    assert expected, "no 422 answer was logged"
    for entry in expected:
        console_errors.remove(entry)
