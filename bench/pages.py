"""`make bench-pages` (also run by `make bench`): page latency at national scale.

Usage::

    make bench-pages
    .venv/bin/python bench/pages.py --duration 15 --connections 16
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/x

PostgreSQL only: ``--database-url``, else ``BENCH_PAGES_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/bassins_bench_pages``. The database is
created when missing and migrated; the INSEE zones d'emploi are imported
(``import_zones --wet-run``, real files) with INSEE unemployment and
population (``import_unemployment``, ``import_population``), and every basin
gets a generated roadmap (``generate_national_demo --seed 1``) unless already there.

Then gunicorn serves the project with production settings (DEBUG off),
2 sync workers on 127.0.0.1, and wrk (16 connections, 2 threads, 15 s,
``--latency``) loads, one after the other:

- the trivial health view ``/sante/`` (the ceiling of this stack here);
- the prefecture dashboard of a regional reviewer;
- the national dashboard of an admin;
- a basin's roadmap overview and a stage page (as the basin's lead).

Logged in pages get a session created directly in the database, passed to
wrk as a ``Cookie`` header. Each page is requested once before its run (a
200 is required) and printed with requests/s, p50 and p95 (from a wrk Lua
``done`` hook: wrk's own ``--latency`` table has no p95) and p99, and
"seul": the median of 20 requests sent one at a time, the page's own cost
without queueing behind the other connections. Target:
p95 <= 150 ms on every page (PASS/FAIL printed; not asserted anywhere).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench.common import ensure_database  # noqa: E402

PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bassins_bench_pages"
LUA_SCRIPT = REPO_DIR / "bench" / "wrk_report.lua"
TARGET_P95_MS = 150.0
SEED = 1
SEQUENTIAL = 20
REGION = "84"  # Auvergne-Rhône-Alpes: the region with most basins
BASIN = "8409"  # Grenoble: overview and stage pages

SESSION_SCRIPT = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from basins.enums import Role
from basins.models import Membership
from roadmap.models import Roadmap

User = get_user_model()
admin, _ = User.objects.get_or_create(
    username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
)
reviewer = Membership.objects.filter(role=Role.REVIEWER, region_id=REGION).first().user
# Grenoble (8409) when the official zones are loaded, else the region's first.
roadmaps = Roadmap.objects.filter(basin__regions=REGION).select_related("basin")
roadmap = (
    roadmaps.filter(basin__code=BASIN).order_by("-period_start").first()
    or roadmaps.order_by("basin__code", "-period_start").first()
)
lead = Membership.objects.filter(role=Role.LEAD, basin=roadmap.basin).first().user


def session(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


print(json.dumps({
    "admin": session(admin),
    "reviewer": session(reviewer),
    "reviewer_name": reviewer.username,
    "lead": session(lead),
    "lead_name": lead.username,
    "basin": f"{roadmap.basin.name} ({roadmap.basin.code})",
    "overview": roadmap.get_absolute_url(),
    "stage": roadmap.stages.get(number=4).get_absolute_url(),
}))
"""


@dataclass
class Result:
    label: str
    path: str
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int
    # Median of sequential requests: the page's own cost, without queueing.
    alone: float

    @property
    def verdict(self) -> str:
        return "PASS" if self.p95 <= TARGET_P95_MS and not self.errors else "FAIL"


def database_url(explicit: str | None) -> str:
    url = explicit or os.environ.get("BENCH_PAGES_DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/pages.py needs PostgreSQL (postgres://...).")
    return url


def environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args, capture=False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=REPO_DIR,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


def count(env, model: str) -> int:
    module, name = model.rsplit(".", 1)
    code = f"from {module} import {name}; print({name}.objects.count())"
    out = manage(env, "shell", "-v", "0", "-c", code, capture=True)
    return int(out.strip().splitlines()[-1])


def prepare(env, data_dir: Path) -> None:
    started = time.monotonic()
    manage(env, "migrate", "--no-input", "-v", "0")
    if count(env, "basins.models.Basin") < 306:
        manage(
            env,
            "import_zones",
            "--wet-run",
            "--populations",
            str(data_dir / "etalab_cog2026_communes.csv"),
        )
    # INSEE unemployment and population of the zones (dashboard indicators).
    for command, model, file_name in (
        (
            "import_unemployment",
            "diagnostics.models.UnemploymentRate",
            "insee_chomage_localise_ze2020_2003T1-2023T3.csv",
        ),
        (
            "import_population",
            "diagnostics.models.PopulationCount",
            "anct_insee_population_historique_1876-2020_ze2020.csv",
        ),
    ):
        if not count(env, model):
            manage(env, command, str(data_dir / file_name), "--wet-run", "-v", "0")
    manage(env, "generate_national_demo", "--seed", str(SEED))
    print(f"Données prêtes en {time.monotonic() - started:.1f} s.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(PYTHON).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=REPO_DIR,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(  # noqa: S310 (our own local server)
                f"http://127.0.0.1:{port}/sante/", timeout=2
            ) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn n'a pas démarré.")


def fetch(port: int, path: str, cookie: str | None) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")  # noqa: S310
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_wrk(port, label, path, cookie, *, duration, connections, threads) -> Result:
    for _ in range(4):  # both workers warm, caches filled
        status = fetch(port, path, cookie)
        if status != 200:
            raise SystemExit(f"{label} ({path}) : statut {status}, 200 attendu.")
    alone = []
    for _ in range(SEQUENTIAL):
        started = time.perf_counter()
        fetch(port, path, cookie)
        alone.append((time.perf_counter() - started) * 1000)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        # wrk's default 2 s timeout would drop slow requests from the
        # percentiles (counted as errors instead): keep them measured.
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA_SCRIPT),
    ]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, check=True, text=True, capture_output=True).stdout
    line = next(row for row in output.splitlines() if row.startswith("JSON "))
    data = json.loads(line[5:])
    return Result(
        label=label,
        path=path,
        rps=data["rps"],
        p50=data["p50"],
        p95=data["p95"],
        p99=data["p99"],
        requests=data["requests"],
        errors=data["errors"] + data["status_errors"],
        alone=statistics.median(alone),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(
            os.environ.get("BASSINS_DATA_DIR", REPO_DIR.parent / "shared" / "data")
        ),
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk est introuvable : apt-get install -y wrk")
    url = database_url(args.database_url)
    ensure_database(url)
    env = environment(url)
    prepare(env, args.data_dir)
    out = manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        f"REGION = {REGION!r}\nBASIN = {BASIN!r}\n" + SESSION_SCRIPT,
        capture=True,
    )
    sessions = json.loads(out.strip().splitlines()[-1])
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    targets = [
        ("Vue triviale /sante/ (plafond)", "/sante/", None),
        (
            f"Tableau de bord régional ({sessions['reviewer_name']})",
            "/feuilles-de-route/tableau-de-bord/",
            sessions["reviewer"],
        ),
        (
            "Tableau de bord national (admin)",
            "/feuilles-de-route/tableau-de-bord/",
            sessions["admin"],
        ),
        (
            f"Vue d'ensemble, {sessions['basin']} ({sessions['lead_name']})",
            sessions["overview"],
            sessions["lead"],
        ),
        (
            f"Page d'étape 4, {sessions['basin']} ({sessions['lead_name']})",
            sessions["stage"],
            sessions["lead"],
        ),
    ]
    results = []
    try:
        for label, path, cookie in targets:
            results.append(
                run_wrk(
                    port,
                    label,
                    path,
                    cookie,
                    duration=args.duration,
                    connections=args.connections,
                    threads=args.threads,
                )
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print()
    print(
        f"Pages — gunicorn {args.workers} workers, wrk {args.connections} "
        f"connexions / {args.threads} threads / {args.duration} s, "
        f"{os.cpu_count()} cœurs, PostgreSQL"
    )
    header = (
        f"{'page':<60} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'seul ms':>8}"
    )
    print(header)
    print("-" * len(header))
    # "seul": median of 20 requests one at a time, before the wrk run.
    for result in results:
        print(
            f"{result.label[:60]:<60} {result.rps:>8.1f} {result.p50:>8.1f} "
            f"{result.p95:>8.1f} {result.p99:>8.1f} {result.alone:>8.1f}  "
            + (
                "plafond"
                if result.path == "/sante/"
                else f"{result.verdict} (p95 <= {TARGET_P95_MS:.0f} ms)"
            )
            + (f" — {result.errors} erreurs" if result.errors else "")
        )
    # A missed target is reported, not an error: `make bench` goes on.
    return 0


if __name__ == "__main__":
    sys.exit(main())
