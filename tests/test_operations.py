"""Operations: request ids, JSON logs, e-mail and error reporting settings."""

import json
import logging

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from config.logs import JsonFormatter, RequestIdFilter, request_id_var
from tests.test_settings import production_env, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_log(caplog):
    caplog.set_level(logging.INFO, logger="bassins.access")
    return caplog


def test_a_request_gets_an_id_echoed_in_the_response(client, access_log):
    response = client.get(reverse("login"))

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert client.get(reverse("login"))["X-Request-ID"] != request_id
    [line] = [r for r in access_log.records if r.name == "bassins.access"][:1]
    assert line.request_id == request_id
    assert (line.method, line.path, line.status) == ("GET", "/connexion/", 200)
    assert line.duration_ms >= 0


def test_a_proxys_request_id_is_kept(client):
    response = client.get(
        reverse("health"), headers={"X-Request-ID": "scalingo-7f3a.91_b"}
    )

    assert response["X-Request-ID"] == "scalingo-7f3a.91_b"


@pytest.mark.parametrize(
    "forged", ['x" "level": "ERROR', "a" * 129, "id\nsecond line", "é"]
)
def test_a_request_id_that_could_forge_log_lines_is_replaced(client, forged):
    response = client.get(reverse("health"), headers={"X-Request-ID": forged})

    assert response["X-Request-ID"] != forged
    assert len(response["X-Request-ID"]) == 32


def test_static_files_get_a_request_id_too(client):
    response = client.get("/static/css/app.css")
    response.close()

    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32


def test_lines_logged_during_a_request_carry_its_id(admin_client, caplog):
    caplog.set_level(logging.INFO)

    response = admin_client.get("/nulle-part/", headers={"X-Request-ID": "req-42"})

    assert response.status_code == 404
    [not_found] = [r for r in caplog.records if r.name == "django.request"]
    assert not_found.getMessage() == "Not Found: /nulle-part/"
    assert not_found.request_id == "req-42"
    # Outside a request, the id is empty again.
    assert request_id_var.get() == ""


def json_line(**record_fields) -> dict:
    record = logging.makeLogRecord(
        {"name": "diagnostics", "levelname": "WARNING", "levelno": 30, **record_fields}
    )
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_the_json_formatter_writes_one_object_per_record():
    token = request_id_var.set("abc123")
    try:
        line = json_line(msg="Import %s : %d lignes", args=("SIRENE", 12), rows=12)
    finally:
        request_id_var.reset(token)

    assert line["level"] == "WARNING"
    assert line["logger"] == "diagnostics"
    assert line["message"] == "Import SIRENE : 12 lignes"
    assert line["request_id"] == "abc123"
    assert line["rows"] == 12
    assert line["time"].endswith("+00:00")


def test_the_json_formatter_keeps_exceptions_and_drops_the_request_object():
    try:
        raise ValueError("fichier illisible")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    line = json_line(msg="boom", exc_info=exc_info, request=RequestFactory().get("/"))

    assert "ValueError: fichier illisible" in line["exception"]
    assert "request" not in line
    assert "request_id" not in line  # outside a request


def test_server_errors_are_mailed_to_the_admins(settings):
    settings.ADMINS = ["Exploitation <exploitation@bassins.example.gouv.fr>"]
    request = RequestFactory().get("/feuilles-de-route/")

    try:
        raise RuntimeError("panne")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=True,
            extra={"status_code": 500, "request": request},
        )

    [message] = mail.outbox
    assert message.to == ["Exploitation <exploitation@bassins.example.gouv.fr>"]
    assert "Internal Server Error: /feuilles-de-route/" in message.subject
    assert "RuntimeError at /feuilles-de-route/\npanne" in message.body


SETTINGS = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps({"MAILERS": s.MAILERS, "ADMINS": s.ADMINS,
                  "SERVER_EMAIL": s.SERVER_EMAIL, "LOG_FORMAT": s.LOG_FORMAT}))
"""


def settings_of(**env) -> dict:
    result = run(["-c", SETTINGS], production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_smtp_comes_from_the_environment():
    values = settings_of(
        DJANGO_EMAIL_HOST="smtp.example.gouv.fr",
        DJANGO_EMAIL_PORT="587",
        DJANGO_EMAIL_USE_TLS="1",
        DJANGO_EMAIL_HOST_USER="bassins",
        DJANGO_EMAIL_HOST_PASSWORD="secret",
        DJANGO_SERVER_EMAIL="erreurs@bassins.example.gouv.fr",
        DJANGO_ADMINS='"Équipe, exploitation" <ops@example.gouv.fr>, dev@example.fr',
    )

    mailer = values["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.gouv.fr",
        "port": 587,
        "username": "bassins",
        "password": "secret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 10,
    }
    assert values["SERVER_EMAIL"] == "erreurs@bassins.example.gouv.fr"
    assert values["ADMINS"] == [
        '"Équipe, exploitation" <ops@example.gouv.fr>',
        "dev@example.fr",
    ]
    assert values["LOG_FORMAT"] == "json"


def test_development_prints_mail_and_logs_plain_text():
    values = settings_of(DJANGO_DEBUG="1")

    assert values["MAILERS"]["default"] == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    assert values["ADMINS"] == []
    assert values["LOG_FORMAT"] == "text"


SENTRY = """
import django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(client.is_active(), client.dsn, client.options["send_default_pii"],
      client.options["environment"])
"""


def test_a_sentry_dsn_without_sentry_sdk_is_refused():
    without_sentry = "import sys; sys.modules['sentry_sdk'] = None\n" + SENTRY
    result = run(
        ["-c", without_sentry], production_env(SENTRY_DSN="https://k@sentry.example/1")
    )

    assert result.returncode != 0
    assert "pip install -e '.[sentry]'" in result.stderr


def test_a_sentry_dsn_turns_error_reporting_on():
    result = run(
        ["-c", SENTRY],
        production_env(
            SENTRY_DSN="https://k@sentry.example/1", SENTRY_ENVIRONMENT="recette"
        ),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "https://k@sentry.example/1",
        "False",
        "recette",
    ]
