"""`make bench`: SIRENE import and diagnostic throughput on PostgreSQL.

Usage::

    make bench                                  # 1,000,000 rows
    BENCH_ROWS=200000 make bench                # smaller
    BENCH_ROWS_3M=1 make bench                  # also the 3M-row peak memory
    .venv/bin/python bench/run.py --rows 20000 --database-url postgres://...

PostgreSQL only: ``--database-url``, else ``BENCH_DATABASE_URL``, else
``DATABASE_URL`` when it points at PostgreSQL, else
``postgres://postgres@127.0.0.1:5432/bassins_bench``. The database is created
when missing, migrated, and the INSEE zones d'emploi (with populations) are
imported into it. The seeded SIRENE file is cached in ``bench/out/``.

Measured in the same run and printed:

a. raw ``psql \\copy`` of the file into a bare table of 54 text columns
   (after a CHECKPOINT);
b. ``manage.py import_sirene FILE --wet-run`` into an empty establishment
   table, in a subprocess: its peak RSS comes from ``wait4`` (in a small
   launcher, so that this process's own peak is not counted), its duration
   from its ImportRun (started_at to finished_at: file check, COPY, merge,
   commit; the interpreter's start-up is printed apart);
c. the same command again on the unchanged file;

   a, b and c run in two rounds, one after the other (each first load
   after a CHECKPOINT on an emptied table), so that a slower spell of the
   machine weighs on all three; each figure is the faster of its two runs,
   and the slower import is printed beside it;
d. the diagnostic aggregates of every basin (one pass, uncached);
e. optionally, the peak memory of importing a 3M-row file.

Targets (PASS/FAIL): import >= 40 % of raw COPY throughput, re-import >= 75 %,
peak memory <= 150 MiB, diagnostic < 5 s. No timing is asserted by the test
suite; ``tests/diagnostics/test_bench.py`` only checks that this runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_DIR / "bench" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bassins_bench"
DEFAULT_ROWS = 1_000_000
ROWS_3M = 3_000_000
SEED = 20260101
# Bumped when bench/sirene.py changes its output, to regenerate cached files.
GENERATOR_VERSION = 2
RAW_TABLE = "bench_raw_sirene"
# Each import and the reference: the faster of this many runs.
RUNS = 2

TARGET_IMPORT_RATIO = 0.40
TARGET_REIMPORT_RATIO = 0.75
TARGET_PEAK_MIB = 150
TARGET_DIAGNOSTIC_SECONDS = 5.0

if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench.common import ensure_database  # noqa: E402


@dataclass
class Measure:
    label: str
    seconds: float
    rows: int
    peak_mib: float | None = None
    wall_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def database_url(explicit: str | None) -> str:
    url = explicit or os.environ.get("BENCH_DATABASE_URL")
    if not url:
        current = os.environ.get("DATABASE_URL", "")
        url = current if current.startswith(("postgres://", "postgresql://")) else ""
    url = url or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"Le banc d'essai exige PostgreSQL (URL reçue : {url}).")
    return url


def child_env(url: str) -> dict[str, str]:
    """Production-like settings for the subprocesses: DEBUG off."""
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env["DJANGO_DEBUG"] = "0"
    env.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
    env["LOG_LEVEL"] = env.get("BENCH_LOG_LEVEL", "WARNING")
    return env


# Linux starts a child's peak RSS (ru_maxrss) from its parent's: the
# high-water mark survives vfork and exec. Started from this process, whose
# own peak includes the SIRENE generator (it grows with the file), an import
# would be charged for it. A small launcher starts it instead and writes
# the child's own figure to the file named first.
LAUNCHER = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(process.pid, 0)
with open(sys.argv[1], "w") as file:
    file.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(command: list[str], **kwargs) -> tuple[int, float, float]:
    """(exit code, wall seconds, peak RSS in MiB) of a command, whatever
    this process's own peak (see LAUNCHER)."""
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss") as peak:
        started = time.perf_counter()
        returncode = subprocess.call(
            [sys.executable, "-c", LAUNCHER, peak.name, *command], **kwargs
        )
        elapsed = time.perf_counter() - started
        maxrss = int(peak.read() or 0)
    # ru_maxrss is in KiB on Linux.
    return returncode, elapsed, maxrss / 1024


def manage(url: str, *args: str, check: bool = True) -> Measure:
    """Run manage.py in a subprocess; wall time and peak RSS."""
    command = [sys.executable, str(REPO_DIR / "manage.py"), *args]
    returncode, elapsed, peak = run_measured(command, env=child_env(url), cwd=REPO_DIR)
    if check and returncode:
        sys.exit(f"Échec de : {' '.join(command)} (code {returncode})")
    return Measure(" ".join(args[:1]), elapsed, 0, peak)


def setup_django(url: str) -> None:
    for key, value in child_env(url).items():
        os.environ.setdefault(key, value)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def sirene_file(rows: int, *, data_dir: Path) -> Path:
    from bench import sirene

    path = OUT_DIR / f"StockEtablissement_v{GENERATOR_VERSION}_{rows}_s{SEED}.csv"
    if path.exists():
        print(f"Fichier SIRENE en cache : {path}")
        return path
    started = time.perf_counter()
    sirene.write(path, rows=rows, seed=SEED, data_dir=data_dir)
    elapsed = time.perf_counter() - started
    print(
        f"Fichier SIRENE généré : {path} ({path.stat().st_size / 2**20:.0f} Mio, "
        f"{rows:,} lignes en {elapsed:.1f} s, {rows / elapsed:,.0f} lignes/s)"
    )
    return path


def import_zones(url: str, data_dir: Path) -> None:
    from basins.models import Basin, Commune

    if Basin.objects.count() >= 306 and Commune.objects.count() > 30_000:
        return
    print("Import des zones d'emploi et des communes…")
    manage(
        url,
        "import_zones",
        "--wet-run",
        "--populations",
        str(data_dir / "etalab_cog2026_communes.csv"),
    )


def raw_copy(url: str, path: Path, rows: int) -> Measure:
    """psql \\copy of the whole file into a bare table of text columns,
    after a CHECKPOINT. The reference is the fastest of the rounds: the
    best this machine does, so a slow copy never flatters a ratio."""
    from django.db import connection

    header = path.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{name}" text' for name in header)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"CREATE TABLE {RAW_TABLE} ({columns})")
        cursor.execute("CHECKPOINT")
    connection.close()
    command = [
        "psql",
        url,
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        f"\\copy {RAW_TABLE} FROM '{path}' WITH (FORMAT csv, HEADER true)",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {RAW_TABLE}")
        copied = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    if copied != rows:
        sys.exit(f"COPY brut : {copied} lignes au lieu de {rows}.")
    return Measure(f"COPY brut (\\copy, meilleur de {RUNS})", elapsed, rows)


def fastest(measures: list[Measure]) -> Measure:
    return min(measures, key=lambda measure: measure.seconds)


def empty_establishments() -> None:
    from django.db import connection

    from diagnostics.models import Establishment

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Establishment._meta.db_table}")
        cursor.execute("CHECKPOINT")
    connection.close()


def import_file(url: str, path: Path, rows: int, label: str) -> Measure:
    """Run the import command; time it by its ImportRun (no interpreter start).

    The process's wall time, Django start-up included, is kept alongside.
    """
    from django.db import connection

    from diagnostics.models import ImportKind, ImportRun, ImportStatus

    # -v 0: no progress lines; the command still prints its report.
    process = manage(url, "import_sirene", str(path), "--wet-run", "-v", "0")
    connection.close()
    run = ImportRun.objects.filter(kind=ImportKind.SIRENE).latest("pk")
    if run.status != ImportStatus.SUCCEEDED or run.rows_read != rows:
        sys.exit(f"Import n° {run.pk} : {run.status}, {run.rows_read} lignes lues.")
    measure = Measure(label, run.duration or process.seconds, rows, process.peak_mib)
    measure.wall_seconds = process.seconds
    return measure


def diagnostic_all_basins() -> tuple[Measure, int]:
    from django.db import connection

    from diagnostics import selectors

    connection.close()
    started = time.perf_counter()
    per_basin, _national = selectors.sirene_aggregates()
    elapsed = time.perf_counter() - started
    from basins.models import Basin

    establishments = sum(
        count for data in per_basin.values() for count, _e in data["bands"].values()
    )
    measure = Measure("Diagnostic de tous les bassins", elapsed, establishments)
    return measure, Basin.objects.count()


def load() -> str:
    """Load averages (1, 5, 15 min): other processes skew every timing."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai import SIRENE")
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_ROWS", DEFAULT_ROWS))
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--with-3m",
        action="store_true",
        default=os.environ.get("BENCH_ROWS_3M") == "1",
        help="mesure aussi la mémoire de pointe sur 3 millions de lignes",
    )
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    if ensure_database(url):
        print(f"Base {urlsplit(url).path.lstrip('/')} créée.")
    setup_django(url)
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    print(
        f"PostgreSQL {server_version()} — {urlsplit(url).path.lstrip('/')} — "
        f"{os.cpu_count()} cœurs — Python {platform.python_version()} — "
        f"charge {load()}"
    )
    manage(url, "migrate", "--no-input", "-v", "0")
    import_zones(url, data_dir)
    path = sirene_file(args.rows, data_dir=data_dir)

    from django.core.management import get_commands

    if "import_sirene" not in get_commands():
        print("La commande import_sirene n'existe pas encore : mesures b à e omises.")
        return 1
    # Rounds of (raw copy, first load, re-import): a slower spell of the
    # machine weighs on the reference and on the imports alike.
    raws, firsts, agains = [], [], []
    for _ in range(RUNS):
        raws.append(raw_copy(url, path, args.rows))
        print(f"COPY brut : {raws[-1].seconds:.1f} s, {raws[-1].rate:,.0f} lignes/s")
        empty_establishments()
        firsts.append(import_file(url, path, args.rows, "Import complet (table vide)"))
        agains.append(import_file(url, path, args.rows, "Réimport du fichier inchangé"))
    raw = fastest(raws)
    first, again = fastest(firsts), fastest(agains)
    diagnostic, basins = diagnostic_all_basins()
    big = None
    if args.with_3m:
        big_path = sirene_file(ROWS_3M, data_dir=data_dir)
        empty_establishments()
        big = import_file(url, big_path, ROWS_3M, "Import complet 3M lignes")

    peak = max(m.peak_mib for m in (*firsts, *agains, big) if m is not None)
    print()
    print(
        f"Banc d'essai SIRENE — {args.rows:,} lignes ({path.name}) — "
        f"charge de la machine en fin de mesure {load()}"
    )
    print(f"{'Mesure':<36}{'Durée':>10}{'Lignes/s':>12}{'Ratio':>8}{'Pointe':>11}")
    print(f"{raw.label:<36}{raw.seconds:>9.1f}s{raw.rate:>12,.0f}{'100 %':>8}")
    rows_out = [
        (first, firsts, TARGET_IMPORT_RATIO),
        (again, agains, TARGET_REIMPORT_RATIO),
    ]
    for measure, runs, target in rows_out:
        ratio = measure.rate / raw.rate
        slowest = max(run.seconds for run in runs)
        print(
            f"{measure.label:<36}{measure.seconds:>9.1f}s{measure.rate:>12,.0f}"
            f"{ratio:>7.0%} {measure.peak_mib:>7.0f} Mio   "
            f"{verdict(ratio >= target)} (cible >= {target:.0%} du COPY brut ; "
            f"processus {measure.wall_seconds:.1f} s ; l'autre essai "
            f"{slowest:.1f} s, {raw.seconds / slowest:.0%})"
        )
    print(
        f"{diagnostic.label:<36}{diagnostic.seconds:>9.2f}s"
        f"{'':>20}{'':>11}   {verdict(diagnostic.seconds < TARGET_DIAGNOSTIC_SECONDS)}"
        f" (cible < {TARGET_DIAGNOSTIC_SECONDS:.0f} s ; {basins} bassins, "
        f"{diagnostic.rows:,} établissements actifs)"
    )
    if big is not None:
        print(
            f"{big.label:<36}{big.seconds:>9.1f}s{big.rate:>12,.0f}"
            f"{big.rate / raw.rate:>7.0%} {big.peak_mib:>7.0f} Mio"
        )
    print(
        f"{'Mémoire de pointe des imports':<36}{peak:>49.0f} Mio   "
        f"{verdict(peak <= TARGET_PEAK_MIB)} (cible <= {TARGET_PEAK_MIB} Mio)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
