"""`make bench` end to end on a small file (no timing asserted)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bench import run

REPO_DIR = Path(__file__).resolve().parents[2]


def bench_url() -> str:
    """A database of its own, named after DATABASE_URL's: test runs against
    different databases of one server never share it."""
    current = os.environ.get("DATABASE_URL", "")
    if current.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(current)
        return urlunsplit(parts._replace(path=f"{parts.path}_bench_smoke"))
    return urlunsplit(urlsplit(run.DEFAULT_URL)._replace(path="/bassins_bench_smoke"))


@pytest.mark.slow
def test_bench_runs_end_to_end_on_20k_rows():
    url = bench_url()
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    try:
        psycopg.connect(admin, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL unreachable for the bench: {error}")
    result = subprocess.run(
        [sys.executable, str(REPO_DIR / "bench" / "run.py"), "--rows", "20000"],
        env={**os.environ, "BENCH_DATABASE_URL": url},
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "COPY brut (\\copy, meilleur de 2)" in out
    for label in (
        "Import complet (table vide)",
        "Réimport du fichier inchangé",
        "Diagnostic de tous les bassins",
        "Mémoire de pointe des imports",
    ):
        line = next(line for line in out.splitlines() if line.startswith(label))
        assert "PASS" in line or "FAIL" in line, line
    assert "306 bassins" in out


def test_bench_refuses_sqlite():
    with pytest.raises(SystemExit, match="PostgreSQL"):
        run.database_url("sqlite:///tmp/db.sqlite3")


def test_bench_defaults_to_a_local_postgres_database(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.sqlite3")
    assert run.database_url(None) == run.DEFAULT_URL
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/other")
    assert run.database_url(None) == "postgres://u@h:5432/other"


def test_a_measured_peak_is_the_command_s_own():
    # Linux carries a parent's peak RSS into its child's: this process
    # holds 200 MiB when it starts the command, which needs a few MiB.
    ballast = bytearray(200 * 2**20)
    ballast[::4096] = b"x" * len(ballast[::4096])

    code, _seconds, peak = run.run_measured([sys.executable, "-c", "pass"])

    assert code == 0
    assert peak < 100
    del ballast


def test_a_measured_command_gives_its_exit_code_and_peak():
    code, _seconds, peak = run.run_measured(
        [
            sys.executable,
            "-c",
            "x = bytearray(150 * 2**20); x[::4096] = b'x' * "
            "len(x[::4096]); raise SystemExit(3)",
        ]
    )

    assert code == 3
    assert peak > 150
