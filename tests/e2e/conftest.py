"""Browser tests: Playwright (Debian's Chromium) against pytest-django's live server.

How to write an end-to-end test (for every app)
-----------------------------------------------
Put it in ``tests/e2e/test_<feature>.py``::

    import pytest
    from playwright.sync_api import expect

    from tests.e2e.helpers import axe_check, login

    pytestmark = pytest.mark.slow  # run by `make e2e` and CI, not `make test`


    def test_lead_sees_the_roadmap(page, lead, territory):
        login(page, lead.username)
        page.goto(f"/feuilles-de-route/{territory['grenoble'].code}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Feuille")
        axe_check(page)

- ``page`` is a fresh Chromium tab whose base URL is the live server: pass
  paths (``page.goto("/")``), not full URLs. ``live_server.url`` is there too.
  ``new_page()`` opens more tabs, each with its own session (two users at
  once); ``new_page(java_script_enabled=False)`` checks a page without JS.
- The shared fixtures of ``tests/conftest.py`` (``territory``, ``member``,
  ``lead``, ``department_reviewer``, ``region_reviewer``, ``admin_user``,
  ``outsider``) work as usual; every factory user has the password
  ``helpers.PASSWORD``. Create data *before* the browser asks for it.
- ``login(page, username)`` goes through the real login form.
- ``axe_check(page)`` runs axe-core on the current page, prints every
  violation and fails on a serious or critical one. Call it once the page has
  settled (after an ``expect(...)``), on each page your feature adds.
- Any console error (a CSP violation, a failed request, an uncaught exception)
  fails the test at teardown. If a test *expects* one (say, it opens a 404
  page), request the ``console_errors`` fixture and remove the expected entries
  before the test ends.
- After an htmx swap, the text of any new element marked ``data-announce`` is
  read out through ``#live-announcer`` (a live region in base.html, filled by
  static/js/app.js): ``expect(page.locator("#live-announcer")).to_have_text(...)``.
- Wait with ``expect(locator)...`` assertions. ``page.wait_for_function`` does
  not work: the CSP forbids ``unsafe-eval``.
- These tests use a transactional database, flushed after each test; every
  one of them gets serialised rollback (``_serialized_rollback`` below), so
  rows created by data migrations (e.g. NAF labels) are there in each test.
  No marker needed. A transactional test *outside* tests/e2e that runs in the
  same session without serialised rollback breaks the next restore (content
  type ids change): give it ``serialized_rollback=True`` too.
- Every test collected in ``tests/e2e/`` gets the ``slow`` marker (added here
  as a safety net); still declare ``pytestmark = pytest.mark.slow``.

Run them with ``make e2e`` (or ``.venv/bin/pytest -m slow tests/e2e``). Set
``E2E_HEADED=1`` to watch, ``CHROMIUM_PATH`` for another browser binary.
"""

import os
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import sync_playwright

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
E2E_DIR = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: runs before the `-m 'not slow'` deselection.
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP, even under production settings.

    Session-wide and autouse, so that it is in force before ``live_server``
    builds its middleware chain (SecurityMiddleware reads the redirect once).
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    ):
        yield


@pytest.fixture(autouse=True)
def _serialized_rollback(django_db_serialized_rollback):
    """Every browser test restores the rows data migrations made (NAF labels).

    A transactional test flushes the database. Serialised rollback puts the
    migration-time rows back, and it must be used by all transactional tests
    of a run or none: after a plain flush, content types come back with new
    ids and the restore collides with them.
    """


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM_PATH}: "
            "apt-get install -y chromium (or set CHROMIUM_PATH)."
        )
    # Playwright's sync API runs an event loop in this thread; Django would
    # then refuse ORM calls from the test itself (fixtures, assertions).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            headless=not os.environ.get("E2E_HEADED"),
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions seen by ``page``.

    The test fails at teardown if any remain: remove the ones you expect.
    """
    return []


@pytest.fixture
def new_page(browser, live_server, console_errors):
    """Factory of browser tabs, each in its own context (its own session).

    For tests with two people at once (say, two editors and a 409)::

        def test_conflict(new_page, lead, member):
            first, second = new_page(), new_page()
            login(first, lead.username)
            login(second, member.username)

    Every tab reports its console errors to ``console_errors``.
    """
    contexts = []

    def make(**options):
        options = {
            "base_url": live_server.url,
            "locale": "fr-FR",
            "viewport": {"width": 1280, "height": 900},
            **options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda message: _record(console_errors, message))
        tab.on("pageerror", lambda error: console_errors.append(f"exception: {error}"))
        return tab

    yield make
    for context in contexts:
        context.close()
    assert not console_errors, "Browser console errors:\n" + "\n".join(console_errors)


def _record(console_errors, message):
    if message.type == "error":
        console_errors.append(f"console: {message.text} ({message.location})")


@pytest.fixture
def page(new_page):
    """A fresh browser tab on the live server, failing on any console error."""
    return new_page()
