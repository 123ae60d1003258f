"""Foundation in a real browser: each role sees exactly its basins; axe-core."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import axe_check, login

pytestmark = pytest.mark.slow


def test_login_page_is_accessible(page):
    page.goto("/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    axe_check(page)


def test_member_home(page, member):
    login(page, member.username)
    axe_check(page)
