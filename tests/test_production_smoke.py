"""The production stack, end to end, as the Procfile runs it (slow: CI).

A fresh database (PostgreSQL when DATABASE_URL points at one, else a SQLite
file), production settings (DEBUG off, a secret key, HTTPS behind a proxy),
the Procfile's ``release`` (migrate, collectstatic), then its ``web``
(gunicorn) and ``worker`` (db_worker) side by side. Over HTTP, as a browser
behind the PaaS's router: log in, load the home page and the diagnostic page
and every asset they link (200, hashed name, compressed, cached a year as
immutable), upload a small file to import and wait for the worker to finish
it, then SIGTERM both processes, which must exit cleanly (status 0).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psycopg
import pytest
from django.conf import settings

from tests.test_process_model import processes as procfile
from tests.test_settings import production_env, run

pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(os.sys.executable).parent
PASSWORD = "smoke-test-password-8409"  # noqa: S105
CSV = "ZE2020,LIBZE2020,2023-T2,2023-T3\n0051,Alençon,6.4,6.5\n9999,Nulle part,1,2\n"
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
SETUP = f"""
from django.contrib.auth import get_user_model
from basins.models import Basin
get_user_model().objects.create_superuser("exploitation", "", "{PASSWORD}")
Basin.objects.create(code="0051", name="Alençon")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def fresh_database(tmp_path):
    """A database of its own: `<name>_smoke` on PostgreSQL, else a file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'smoke.sqlite3'}"
        return
    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_smoke"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Browser:
    """HTTP as a browser behind the PaaS's TLS proxy: cookies, CSRF, gzip."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, body=None, headers=None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "br, gzip",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return response, raw

    def page(self, path) -> tuple[object, str]:
        response, raw = self.request("GET", path)
        assert response.status == 200, (path, response.status)
        assert response.headers["Content-Encoding"] == "gzip", path
        return response, gzip.decompress(raw).decode()

    def post(self, path, fields: dict, *, files=None):
        _, html = self.page(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {"csrfmiddlewaretoken": token, **fields}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"'
                f"\r\n\r\n{value}\r\n".encode()
            )
        for key, (name, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Origin": self.origin,
                "Referer": self.origin + path,
            },
        )


def start(command: str, env, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def json_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def wait_for(check, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what}: rien après {seconds} s")


def test_the_production_stack_serves_pages_assets_and_imports(tmp_path, capsys):
    started = time.monotonic()
    processes = procfile("Procfile")
    port = free_port()
    with fresh_database(tmp_path) as database_url:
        env = production_env(
            DATABASE_URL=database_url,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_STATIC_ROOT=str(tmp_path / "static"),
            DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
            PATH=f"{BIN}:{os.environ['PATH']}",
            PORT=str(port),
            WEB_CONCURRENCY="2",
        )
        release = subprocess.run(
            ["bash", "-c", processes["release"]],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert release.returncode == 0, release.stdout + release.stderr
        released = time.monotonic()
        setup = run(["manage.py", "shell", "-c", SETUP], env)
        assert setup.returncode == 0, setup.stderr

        web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
        web = start(processes["web"], env, web_log)
        worker = start(processes["worker"], env, worker_log)
        try:
            browser = Browser(port)

            def up():
                assert web.poll() is None, web_log.read_text()
                return _answers(browser, "/sante/")

            wait_for(up, seconds=30, what="gunicorn")
            report = _exercise(browser)
        finally:
            codes = {}
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for name, process in (("web", web), ("worker", worker)):
                try:
                    codes[name] = process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    codes[name] = "killed"
        assert codes == {"web": 0, "worker": 0}, (
            codes,
            web_log.read_text()[-3000:],
            worker_log.read_text()[-3000:],
        )

    web_lines, worker_lines = json_lines(web_log), json_lines(worker_log)
    errors = [line for line in web_lines + worker_lines if line["level"] == "ERROR"]
    assert errors == []
    access = [line for line in web_lines if line["logger"] == "bassins.access"]
    assert report["request_id"] in {line.get("request_id") for line in access}
    assert any(line["logger"] == "gunicorn.error" for line in web_lines)
    with capsys.disabled():
        print(
            f"\nProduction smoke: release {released - started:.1f} s, "
            f"total {time.monotonic() - started:.1f} s; "
            f"{report['summary']}; web and worker stopped with status 0"
        )


def _answers(browser: Browser, path: str) -> bool:
    try:
        response, _ = browser.request("GET", path)
    except OSError:
        return False
    return response.status == 200


def _exercise(browser: Browser) -> dict:
    # Plain HTTP is sent to HTTPS; HSTS and the CSP come with every page.
    response, _ = browser.request("GET", "/", headers={"X-Forwarded-Proto": "http"})
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")

    response, _ = browser.post(
        "/connexion/", {"username": "exploitation", "password": PASSWORD}
    )
    assert response.status == 302, "login failed"
    assert "sessionid" in browser.cookies

    pages, assets = {}, {}
    for path in ("/", "/diagnostics/bassins/0051/"):
        response, html = browser.page(path)
        assert "Strict-Transport-Security" in response.headers
        assert "nonce-" in response.headers["Content-Security-Policy"]
        pages[path] = html
        for url in ASSET.findall(html):
            assets[url] = None
    request_id = response.headers["X-Request-ID"]
    assert any("vendor/plotly/plotly.min." in url for url in assets)

    sent = raw = 0
    for url in assets:
        response, body = browser.request("GET", url)
        assert response.status == 200, url
        assert HASHED.search(urlsplit(url).path), url
        cache = response.headers["Cache-Control"]
        assert "max-age=315360000" in cache, (url, cache)
        assert "immutable" in cache, (url, cache)
        if url.endswith((".css", ".js")):
            assert response.headers["Content-Encoding"] == "br", url
            plain, original = browser.request(
                "GET", url, headers={"Accept-Encoding": "identity"}
            )
            assert "Content-Encoding" not in plain.headers
            raw += len(original)
        else:
            raw += len(body)
        sent += len(body)

    response, _ = browser.post(
        "/diagnostics/imports/nouveau/",
        {"kind": "UNEMPLOYMENT"},
        files={"file": ("chomage.csv", CSV.encode())},
    )
    assert response.status == 302, "upload refused"
    detail = response.headers["Location"]

    def finished():
        _, html = browser.page(detail)
        status = re.search(r'id="import-status">([^<]+)<', html)[1]
        return html if status in ("Terminé", "Échec") else None

    html = wait_for(finished, seconds=60, what="the worker's import")
    assert 'id="import-status">Terminé<' in html
    assert re.search(r'id="import-inserted">2<', html)
    assert re.search(r'id="import-rejected">1<', html)
    return {
        "request_id": request_id,
        "summary": (
            f"2 pages and {len(assets)} assets: {raw / 1024:.0f} KiB sent as "
            f"{sent / 1024:.0f} KiB (brotli), every one hashed and immutable; "
            "1 import run by the worker (2 rows created, 1 rejected)"
        ),
    }
