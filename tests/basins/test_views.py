"""Home (search, pagination, HTMX) and basin pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from basins.enums import Role
from tests.basins.factories import (
    BasinFactory,
    CommuneFactory,
    MembershipFactory,
    UserFactory,
)

HOME = reverse("basins:home")


def listed_codes(response):
    """Basin codes in the results table, in order."""
    return [basin.code for basin in response.context["page"]]


@pytest.mark.django_db
def test_home_lists_the_visible_basins_by_name(client, region_reviewer):
    client.force_login(region_reviewer)
    response = client.get(HOME)
    assert response.status_code == 200
    # Bassin mixte, Grenoble, Oyonnax; never Châteauroux (Centre-Val de Loire).
    assert listed_codes(response) == ["8499", "8409", "8425"]
    assert "Châteauroux" not in response.text
    assert "3 bassins" in response.text


@pytest.mark.django_db
def test_home_shows_each_basin_figures(client, member, territory):
    grenoble = territory["grenoble"]
    CommuneFactory(code="38185", basin=grenoble, population=158_000)
    CommuneFactory(code="38421", basin=grenoble, population=38_000)
    client.force_login(member)
    response = client.get(HOME)
    row = re.search(r"<tr>\s*<td>8409</td>.*?</tr>", response.text, re.S).group()
    assert "Grenoble" in row
    assert "<td>38</td>" in row
    assert "<td>2</td>" in row
    assert "<td>196\N{NO-BREAK SPACE}000</td>" in row


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grenoble", ["8409"]),
        ("GRENO", ["8409"]),
        ("84", ["8499", "8409", "8425"]),
        ("842", ["8425"]),
        ("mixte", ["8499"]),
        ("409", []),  # a code matches by its start only
    ],
)
def test_search_by_name_or_code_prefix(client, admin_user, territory, query, expected):
    client.force_login(admin_user)
    assert listed_codes(client.get(HOME, {"q": query})) == expected


@pytest.mark.django_db
def test_search_ignores_accents_and_case(client, admin_user, territory):
    client.force_login(admin_user)
    assert listed_codes(client.get(HOME, {"q": "chateauroux"})) == ["2405"]
    assert listed_codes(client.get(HOME, {"q": "CHÂTEAU"})) == ["2405"]


@pytest.mark.django_db
def test_search_stays_within_the_user_territory(client, member, territory):
    client.force_login(member)
    assert listed_codes(client.get(HOME, {"q": "Oyonnax"})) == []


@pytest.mark.django_db
def test_search_without_result_says_so(client, admin_user, territory):
    client.force_login(admin_user)
    response = client.get(HOME, {"q": "Atlantide"})
    assert "Aucun bassin ne correspond à « Atlantide »." in response.text


@pytest.mark.django_db
def test_user_without_territory_sees_an_explanation(client, outsider, territory):
    client.force_login(outsider)
    response = client.get(HOME)
    assert listed_codes(response) == []
    assert "Aucun bassin ne vous est encore rattaché" in response.text


@pytest.mark.django_db
def test_search_form_works_without_javascript(client, admin_user, territory):
    client.force_login(admin_user)
    html = client.get(HOME).text
    assert f'action="{HOME}"' in html
    assert 'method="get"' in html
    assert '<label class="fr-label" for="id_q">' in html


@pytest.mark.django_db
def test_too_long_query_is_ignored(client, admin_user, territory):
    client.force_login(admin_user)
    response = client.get(HOME, {"q": "x" * 101})
    assert response.status_code == 200
    assert len(listed_codes(response)) == 4


@pytest.fixture
def many_basins(db):
    """30 basins, all visible to the admin (25 on a page)."""
    return [BasinFactory(code=f"{5000 + n}", name=f"Zone {n:02d}") for n in range(30)]


@pytest.mark.django_db
def test_home_is_paginated(client, admin_user, many_basins):
    client.force_login(admin_user)
    first = client.get(HOME)
    assert len(listed_codes(first)) == 25
    assert "1 / 2" in first.text
    assert 'href="?page=2"' in first.text
    second = client.get(HOME, {"page": 2})
    assert listed_codes(second) == [f"{5000 + n}" for n in range(25, 30)]
    assert 'href="?page=1"' in second.text


@pytest.mark.django_db
def test_pagination_keeps_the_query(client, admin_user, many_basins):
    client.force_login(admin_user)
    response = client.get(HOME, {"q": "zone"})
    assert 'href="?q=zone&amp;page=2"' in response.text


@pytest.mark.django_db
def test_out_of_range_page_shows_the_last_one(client, admin_user, many_basins):
    client.force_login(admin_user)
    assert len(listed_codes(client.get(HOME, {"page": 99}))) == 5
    assert len(listed_codes(client.get(HOME, {"page": "abc"}))) == 25


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"q": "zone 1"}, {"page": 2}, {"q": "rien"}])
def test_htmx_swap_gives_the_same_results_as_a_full_render(
    client, admin_user, many_basins, params
):
    client.force_login(admin_user)
    full = client.get(HOME, params).text
    partial = client.get(HOME, params, headers={"HX-Request": "true"}).text
    assert partial.lstrip().startswith('<div id="results"')
    assert "<html" not in partial
    assert partial.strip() in full


@pytest.mark.django_db
def test_boosted_request_gets_the_full_page(client, admin_user, territory):
    client.force_login(admin_user)
    response = client.get(HOME, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.text


@pytest.mark.django_db
def test_history_restore_gets_the_full_page(client, admin_user, territory):
    client.force_login(admin_user)
    response = client.get(
        HOME,
        {"q": "gre"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text


@pytest.mark.django_db
def test_home_varies_on_the_htmx_header(client, admin_user):
    # Else a browser cache could serve the fragment as the page, or the reverse.
    client.force_login(admin_user)
    assert "HX-Request" in client.get(HOME)["Vary"]


def count_home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


def add_basins(department, codes):
    for code in codes:
        basin = BasinFactory(code=f"{code}", departments=[department])
        CommuneFactory(basin=basin, department=department)


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_the_basins(
    client, region_reviewer, territory, django_assert_max_num_queries
):
    client.force_login(region_reviewer)
    add_basins(territory["isere"], range(8300, 8303))
    few = count_home_queries(client)
    add_basins(territory["isere"], range(8303, 8340))
    many = count_home_queries(client)
    assert few == many
    with django_assert_max_num_queries(7):
        client.get(HOME)


# --- Basin page --------------------------------------------------------------


@pytest.mark.django_db
def test_basin_page_shows_name_code_figures_departments_and_members(
    client, department_reviewer, territory
):
    cross = territory["cross"]
    CommuneFactory(
        code="01001", basin=cross, department=territory["ain"], population=800
    )
    CommuneFactory(
        code="38001", basin=cross, department=territory["isere"], population=1_200
    )
    lead = MembershipFactory(
        role=Role.LEAD,
        basin=cross,
        user=UserFactory(first_name="Paula", last_name="Pilote"),
    )
    client.force_login(department_reviewer)
    response = client.get(cross.get_absolute_url())
    html = response.text
    assert response.status_code == 200
    assert "<h1>Bassin mixte" in html
    assert "Zone d'emploi 8499" in html
    assert 'id="communes-count">2</p>' in html
    assert 'id="population">2\N{NO-BREAK SPACE}000</p>' in html
    assert 'id="departments-count">2</p>' in html
    assert "Ain (01) — Auvergne-Rhône-Alpes" in html
    assert "Isère (38) — Auvergne-Rhône-Alpes" in html
    assert f"{lead.user.get_full_name()} — Pilote du comité de bassin" in html


@pytest.mark.django_db
def test_basin_page_without_communes_says_so(client, admin_user):
    basin = BasinFactory(code="9999", name="Vide", departments=[])
    client.force_login(admin_user)
    html = client.get(basin.get_absolute_url()).text
    assert "Aucun département connu" in html
    assert "Aucun membre n'est encore rattaché à ce comité." in html


@pytest.mark.django_db
def test_basin_outside_the_territory_is_not_found(client, member, territory):
    client.force_login(member)
    response = client.get(territory["chateauroux"].get_absolute_url())
    assert response.status_code == 404
    assert "Page introuvable" in response.text


@pytest.mark.django_db
def test_basin_page_query_count_is_bounded(
    client, region_reviewer, territory, django_assert_max_num_queries
):
    for _ in range(20):
        MembershipFactory(role=Role.MEMBER, basin=territory["grenoble"])
        CommuneFactory(basin=territory["grenoble"], department=territory["isere"])
    client.force_login(region_reviewer)
    with django_assert_max_num_queries(8):
        client.get(territory["grenoble"].get_absolute_url())


@pytest.mark.django_db
def test_header_shows_the_user_territories(client, department_reviewer, member):
    client.force_login(department_reviewer)
    assert "Préfecture — Isère (38)" in client.get(HOME).text
    client.force_login(member)
    assert "Membre du comité de bassin — Grenoble (8409)" in client.get(HOME).text


@pytest.mark.django_db
def test_header_follows_membership_changes_at_the_next_request(
    client, member, territory
):
    client.force_login(member)
    reviewer_label = "Préfecture — Isère (38)"
    assert reviewer_label not in client.get(HOME).text
    added = MembershipFactory(
        user=member, role=Role.REVIEWER, basin=None, department=territory["isere"]
    )
    assert reviewer_label in client.get(HOME).text
    added.delete()
    assert reviewer_label not in client.get(HOME).text
