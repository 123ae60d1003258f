"""Settings from the environment: production defaults, CSP, PostgreSQL options.

Settings are read once per process, so each environment is tried in a fresh
``python`` subprocess.
"""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = settings.BASE_DIR

DUMP = """
import json
import django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": db["NAME"],
    "OPTIONS": db.get("OPTIONS", {}),
    "CONN_MAX_AGE": db["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": db["CONN_HEALTH_CHECKS"],
    "PASSWORD_HASHER": s.PASSWORD_HASHERS[0],
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
}))
"""


def production_env(**extra):
    """The environment of a production process: no DEBUG, no pytest."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_DEBUG",
            "PYTEST_VERSION",
            "DATABASE_URL",
            # Set by the browser tests' fixture, refused by check --deploy.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not key.startswith("PYTEST_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="bassins.example.gouv.fr",
    )
    env.update(extra)
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def dump_settings(env):
    result = run(["-c", DUMP], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_in_production_mode():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    assert dump_settings(production_env())["DEBUG"] is False
    assert dump_settings(production_env(DJANGO_DEBUG="1"))["DEBUG"] is True
    assert dump_settings(production_env(DJANGO_DEBUG="0"))["DEBUG"] is False


def test_production_defaults_are_safe():
    values = dump_settings(production_env())
    assert values["PASSWORD_HASHER"].endswith("Argon2PasswordHasher")
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["ALLOWED_HOSTS"] == ["bassins.example.gouv.fr"]


def test_sqlite_is_the_default_database():
    values = dump_settings(production_env())
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"].endswith("db.sqlite3")


def test_postgresql_gets_statement_and_lock_timeouts():
    values = dump_settings(
        production_env(DATABASE_URL="postgres://bassins@db.example:5432/bassins")
    )
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "bassins"
    options = values["OPTIONS"]["options"]
    assert "-c statement_timeout=30000" in options
    assert "-c lock_timeout=5000" in options
    assert values["CONN_MAX_AGE"] == 60
    assert values["CONN_HEALTH_CHECKS"] is True


def test_postgresql_timeouts_come_from_the_environment():
    values = dump_settings(
        production_env(
            DATABASE_URL="postgres://bassins@db.example:5432/bassins",
            DJANGO_STATEMENT_TIMEOUT_MS="1000",
            DJANGO_LOCK_TIMEOUT_MS="200",
        )
    )
    options = values["OPTIONS"]["options"].removeprefix("-c ").split(" -c ")
    assert "statement_timeout=1000" in options
    assert "lock_timeout=200" in options


# --- Content Security Policy --------------------------------------------------


def csp_nonce(response):
    policy = response["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    assert match, policy
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["login", "home", "basin"])
def test_pages_carry_a_strict_csp_with_a_nonce_on_every_script(
    client, admin_user, territory, page
):
    if page == "login":
        url = reverse("login")
    else:
        client.force_login(admin_user)
        url = (
            reverse("basins:home")
            if page == "home"
            else territory["grenoble"].get_absolute_url()
        )
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    nonce = csp_nonce(response)
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts
    for tag in scripts:
        if 'type="application/json"' in tag:
            continue  # json_script data, never executed
        source = re.search(r'src="([^"]+)"', tag)
        if source:
            # Allowed by script-src 'self': served by us, never a CDN.
            assert source.group(1).startswith(settings.STATIC_URL), tag
        else:
            assert f'nonce="{nonce}"' in tag, tag
    assert " style=" not in response.text
    assert " onclick=" not in response.text


@pytest.mark.django_db
def test_nonce_changes_on_every_response(client):
    first = csp_nonce(client.get(reverse("login")))
    second = csp_nonce(client.get(reverse("login")))
    assert first != second


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
