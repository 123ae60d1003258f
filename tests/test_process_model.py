"""The process model: Procfiles, the scheduler's jobs, the daily upkeep script.

tests/test_production_smoke.py runs the Procfile's processes for real; here,
every command they name must exist, and the daily jobs must run.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands

BASE_DIR = Path(settings.BASE_DIR)
MANAGE = re.compile(r"manage\.py ([\w-]+)([^&\n]*)")


def processes(name: str) -> dict[str, str]:
    lines = (BASE_DIR / name).read_text().splitlines()
    return {
        key.strip(): command.strip()
        for key, command in (
            line.split(":", 1)
            for line in lines
            if line.strip() and not line.startswith("#")
        )
    }


def test_the_procfile_declares_web_worker_and_the_release_steps():
    procfile = processes("Procfile")

    assert sorted(procfile) == ["postdeploy", "release", "web", "worker"]
    assert procfile["web"].startswith("gunicorn --config config/gunicorn.conf.py")
    assert "manage.py db_worker" in procfile["worker"]
    assert "manage.py migrate" in procfile["release"]
    assert "manage.py collectstatic" in procfile["release"]
    assert "manage.py migrate" in procfile["postdeploy"]


def test_make_run_starts_the_server_and_the_worker():
    dev = processes("Procfile.dev")

    assert sorted(dev) == ["web", "worker"]
    assert "manage.py runserver 127.0.0.1:$PORT" in dev["web"]
    assert "manage.py db_worker" in dev["worker"]
    assert "honcho --procfile Procfile.dev start" in (BASE_DIR / "Makefile").read_text()
    honcho = Path(sys.executable).with_name("honcho")
    check = subprocess.run(
        [str(honcho), "--procfile", "Procfile.dev", "check"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_the_clever_cloud_set_up_runs_the_procfiles_commands():
    procfile = processes("Procfile")
    guide = (BASE_DIR / "docs" / "deploiement.md").read_text()
    clever = dict(re.findall(r'^\s*(CC_[A-Z_]+)="([^"]+)"', guide, re.MULTILINE))

    web = procfile["web"].split()
    assert clever["CC_RUN_COMMAND"].split() == [
        *web[:-1],
        "--bind",
        "0.0.0.0:9000",
        web[-1],
    ]
    assert clever["CC_WORKER_COMMAND"] == procfile["worker"]
    release = procfile["release"].split(" && ")
    assert [clever["CC_PRE_RUN_HOOK"], clever["CC_POST_BUILD_HOOK"]] == release


@pytest.mark.parametrize("name", ["Procfile", "Procfile.dev", "ops/daily"])
def test_every_management_command_named_exists(name):
    named = MANAGE.findall((BASE_DIR / name).read_text())

    assert named
    unknown = {command for command, _ in named} - set(get_commands())
    assert unknown == set()


def test_the_schedulers_run_the_daily_script_once_a_day():
    scalingo = json.loads((BASE_DIR / "cron.json").read_text())
    clever = json.loads((BASE_DIR / "clevercloud" / "cron.json").read_text())

    assert [job["command"] for job in scalingo["jobs"]] == ["15 2 * * * ops/daily"]
    assert clever == ["15 2 * * * $ROOT/ops/daily"]
    assert os.access(BASE_DIR / "ops" / "daily", os.X_OK)


@pytest.mark.django_db
def test_the_daily_jobs_run():
    for command, arguments in MANAGE.findall((BASE_DIR / "ops/daily").read_text()):
        call_command(command, *shlex.split(arguments), verbosity=0)
