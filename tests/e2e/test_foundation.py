"""The foundation in a real browser: roles, search, skip links, axe-core."""

import re

import pytest
from playwright.sync_api import expect

from basins.enums import Role
from tests.basins.factories import CommuneFactory, MembershipFactory, UserFactory
from tests.e2e.helpers import PASSWORD, axe_check, login, logout

pytestmark = pytest.mark.slow

# territory fixture: Grenoble 8409 (38), Oyonnax 8425 (01), Châteauroux 2405
# (36, another region) and Bassin mixte 8499 (01 + 38).
EXPECTED_BASINS = {
    "member": ["8409"],
    "lead": ["8409"],
    "department_reviewer": ["8409", "8499"],
    "region_reviewer": ["8409", "8425", "8499"],
    "admin_user": ["2405", "8409", "8425", "8499"],
    "outsider": [],
}


def listed_codes(page):
    return sorted(page.locator("#results tbody tr td:first-child").all_inner_texts())


@pytest.fixture
def grenoble_with_communes(territory):
    grenoble = territory["grenoble"]
    CommuneFactory(code="38185", name="Grenoble", basin=grenoble, population=158_198)
    CommuneFactory(code="38421", name="Saint-Martin-d'Hères", basin=grenoble)
    MembershipFactory(
        role=Role.LEAD,
        basin=grenoble,
        user=UserFactory(first_name="Paula", last_name="Pilote"),
    )
    return grenoble


@pytest.mark.parametrize("role", list(EXPECTED_BASINS))
def test_each_role_sees_exactly_its_basins(
    page, console_errors, request, territory, role
):
    user = request.getfixturevalue(role)
    login(page, user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bassins d'emploi")
    assert listed_codes(page) == EXPECTED_BASINS[role]
    if not EXPECTED_BASINS[role]:
        expect(page.locator("#results")).to_contain_text(
            "Aucun bassin ne vous est encore rattaché"
        )
    # A basin outside the territory is not found, even by its address.
    response = page.goto(territory["chateauroux"].get_absolute_url())
    assert response.status == (200 if role == "admin_user" else 404)
    remove_expected_404(console_errors)


def remove_expected_404(console_errors):
    """Chromium logs a 404 answer as a console error: expected here."""
    for error in [e for e in console_errors if "status of 404" in e]:
        console_errors.remove(error)


def test_another_territory_gives_a_page_introuvable(page, console_errors, member):
    login(page, member.username)
    response = page.goto("/bassins/2405/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    axe_check(page)
    assert any("status of 404" in error for error in console_errors)
    remove_expected_404(console_errors)


def test_header_names_the_user_and_territories(page, department_reviewer):
    login(page, department_reviewer.username)
    expect(page.locator("#current-user")).to_have_text(
        department_reviewer.get_full_name()
    )
    expect(page.locator("#user-territories")).to_contain_text("Préfecture — Isère (38)")


def test_wrong_password_is_refused_then_login_and_logout(page, member):
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(member.username)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("mot de passe valides")
    axe_check(page)
    login(page, member.username, PASSWORD)
    logout(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))


# --- axe-core ----------------------------------------------------------------


def test_login_page_is_accessible(page):
    page.goto("/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    axe_check(page)


def test_home_page_is_accessible(page, admin_user, grenoble_with_communes):
    login(page, admin_user.username)
    expect(page.locator("#results tbody tr")).to_have_count(4)
    # Nothing is read out on a plain page load.
    expect(page.locator("#live-announcer")).to_have_text("")
    axe_check(page)


def test_home_page_on_a_phone_is_accessible(page, member):
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, member.username)
    menu_button = page.get_by_role("button", name="Menu")
    expect(menu_button).to_be_visible()
    axe_check(page)
    menu_button.click()
    expect(page.get_by_role("link", name="Bassins", exact=True)).to_be_visible()
    axe_check(page)


def test_empty_home_page_is_accessible(page, outsider):
    login(page, outsider.username)
    expect(page.locator("#results")).to_contain_text("Aucun bassin")
    axe_check(page)


def test_basin_page_is_accessible(page, lead, grenoble_with_communes):
    login(page, lead.username)
    page.get_by_role("link", name="Grenoble", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grenoble")
    expect(page.locator("#communes-count")).to_have_text("2")
    expect(
        page.get_by_text("Paula Pilote — Pilote du comité de bassin")
    ).to_be_visible()
    axe_check(page)


def test_password_change_page_is_accessible(page, member):
    login(page, member.username)
    page.get_by_role("link", name="Mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer de mot de passe")
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(page.locator(".fr-error-text").first).to_be_visible()
    axe_check(page)


# --- Search and keyboard ------------------------------------------------------


def test_search_updates_the_results_in_place(page, admin_user, territory):
    login(page, admin_user.username)
    expect(page.locator("#results tbody tr")).to_have_count(4)
    # A marker that a full page load would wipe out.
    page.evaluate("window.noReload = true")
    page.get_by_label("Rechercher un bassin").fill("chateau")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert listed_codes(page) == ["2405"]
    expect(page).to_have_url(re.compile(r"\?q=chateau$"))
    assert page.evaluate("window.noReload") is True
    # Screen readers hear the new count through the page's live region.
    announcer = page.locator("#live-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_text("1 bassin")
    page.get_by_label("Rechercher un bassin").fill("84")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    expect(announcer).to_have_text("3 bassins")
    page.get_by_label("Rechercher un bassin").fill("Atlantide")
    expect(page.locator("#results")).to_contain_text(
        "Aucun bassin ne correspond à « Atlantide »."
    )
    expect(announcer).to_have_text("Aucun bassin ne correspond à « Atlantide ».")
    assert page.evaluate("window.noReload") is True


def test_search_works_without_javascript(new_page, admin_user, territory):
    page = new_page(java_script_enabled=False)
    login(page, admin_user.username)
    page.get_by_label("Rechercher un bassin").fill("oyo")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/\?q=oyo$"))
    assert listed_codes(page) == ["8425"]


def test_two_users_at_once_each_see_their_own_basins(new_page, member, territory):
    reviewer = MembershipFactory(
        role=Role.REVIEWER, basin=None, department=territory["indre"]
    ).user
    first, second = new_page(), new_page()
    login(first, member.username)
    login(second, reviewer.username)
    first.reload()
    assert listed_codes(first) == ["8409"]
    assert listed_codes(second) == ["2405"]


def test_skip_link_takes_the_keyboard_to_the_content(page, member):
    login(page, member.username)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()
    # The next Tab lands inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate(
        "document.getElementById('content').contains(document.activeElement)"
    )
