"""Helpers for browser tests: log in through the form, run axe-core."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

# The password tests.basins.factories.UserFactory gives every user.
PASSWORD = "mot-de-passe-de-test"
BLOCKING_IMPACTS = ("serious", "critical")

_axe = Axe()


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and wait for the home page."""
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    # Attached, not visible: on a phone the header tools sit in the menu.
    expect(page.locator("#current-user").first).to_be_attached()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()


def axe_violations(page: Page, *, context=None) -> list[dict]:
    """Every axe-core violation on the current page (WCAG 2.x A and AA rules)."""
    options = {
        "resultTypes": ["violations"],
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
        },
    }
    return _axe.run(page, context=context, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", " ")
                lines.append(f"      {summary}")
    return "\n".join(lines)


def axe_check(page: Page, *, context=None) -> list[dict]:
    """Run axe-core; print all violations, fail on serious or critical ones.

    Returns the violations (minor and moderate ones included) for tests that
    want to assert more.
    """
    violations = axe_violations(page, context=context)
    if violations:
        print(f"axe-core on {page.url}:\n{format_violations(violations)}")
    else:
        print(f"axe-core on {page.url}: no violation")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe-core: serious or critical violations on {page.url}:\n"
        + format_violations(blocking)
    )
    return violations
