import re

import pytest
from django.urls import reverse

from roadmap.enums import AuditAction
from roadmap.models import AuditEvent, Roadmap
from tests.roadmap import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalize(html):
    return " ".join(CSRF.sub("", html).split())


def create_url(basin):
    return reverse("roadmap:roadmap_create", kwargs={"code": basin.code})


def list_url(basin):
    return reverse("roadmap:basin_roadmaps", kwargs={"code": basin.code})


@pytest.mark.django_db
def test_lead_creates_a_roadmap_with_its_stages(client, lead, territory):
    client.force_login(lead)
    response = client.post(
        create_url(territory["grenoble"]), {"period_start": 2026, "period_end": 2030}
    )
    roadmap = Roadmap.objects.get()
    assert response.status_code == 302
    assert response["Location"] == roadmap.get_absolute_url()
    assert roadmap.basin == territory["grenoble"]
    assert roadmap.stages.count() == 6
    assert AuditEvent.objects.filter(
        model_label="roadmap.roadmap", action=AuditAction.CREATE, user=lead
    ).exists()


@pytest.mark.django_db
def test_member_may_create_a_roadmap_with_a_title(client, member, territory):
    client.force_login(member)
    client.post(
        create_url(territory["grenoble"]),
        {"period_start": 2026, "period_end": 2028, "title": "Cap 2028"},
    )
    assert Roadmap.objects.get().title == "Cap 2028"


@pytest.mark.django_db
def test_same_period_is_refused_in_french(client, lead, territory):
    factories.RoadmapFactory(
        basin=territory["grenoble"], period_start=2026, period_end=2030
    )
    client.force_login(lead)
    response = client.post(
        create_url(territory["grenoble"]), {"period_start": 2026, "period_end": 2030}
    )
    assert response.status_code == 422
    assert "déjà une feuille de route sur cette période (2026–2030)" in (
        response.content.decode()
    )
    assert Roadmap.objects.count() == 1


@pytest.mark.django_db
def test_overlapping_period_is_refused(client, lead, territory):
    factories.RoadmapFactory(
        basin=territory["grenoble"], period_start=2026, period_end=2030
    )
    client.force_login(lead)
    response = client.post(
        create_url(territory["grenoble"]), {"period_start": 2029, "period_end": 2032}
    )
    assert response.status_code == 422
    assert Roadmap.objects.count() == 1


@pytest.mark.django_db
def test_following_period_is_accepted(client, lead, territory):
    factories.RoadmapFactory(
        basin=territory["grenoble"], period_start=2026, period_end=2030
    )
    client.force_login(lead)
    response = client.post(
        create_url(territory["grenoble"]), {"period_start": 2031, "period_end": 2035}
    )
    assert response.status_code == 302
    assert Roadmap.objects.count() == 2


@pytest.mark.django_db
def test_same_period_in_another_basin_is_accepted(client, lead, territory):
    factories.RoadmapFactory(
        basin=territory["oyonnax"], period_start=2026, period_end=2030
    )
    client.force_login(lead)
    response = client.post(
        create_url(territory["grenoble"]), {"period_start": 2026, "period_end": 2030}
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (2030, 2026, "La fin de la période doit suivre son début."),
        (2026, 2040, "Une feuille de route couvre au plus dix ans."),
        (1990, 1995, "supérieure ou égale à 2000"),
        ("", 2030, "Ce champ est obligatoire."),
    ],
)
def test_bad_period_gets_a_french_error(client, lead, territory, start, end, message):
    client.force_login(lead)
    response = client.post(
        create_url(territory["grenoble"]), {"period_start": start, "period_end": end}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Roadmap.objects.exists()


@pytest.mark.django_db
def test_reviewer_cannot_create_a_roadmap(client, department_reviewer, territory):
    client.force_login(department_reviewer)
    response = client.post(
        create_url(territory["grenoble"]), {"period_start": 2026, "period_end": 2030}
    )
    assert response.status_code == 403
    assert not Roadmap.objects.exists()


@pytest.mark.django_db
def test_basin_page_links_to_its_roadmaps(client, member, territory):
    client.force_login(member)
    html = client.get(territory["grenoble"].get_absolute_url()).content.decode()
    assert f'href="{list_url(territory["grenoble"])}"' in html


@pytest.mark.django_db
def test_roadmap_list_shows_the_create_button_to_the_committee(
    client, member, territory
):
    client.force_login(member)
    html = client.get(list_url(territory["grenoble"])).content.decode()
    assert 'id="roadmap-create"' in html
    assert 'id="roadmap-empty"' in html


@pytest.mark.django_db
def test_roadmap_list_hides_the_create_button_from_reviewers(
    client, region_reviewer, territory
):
    factories.RoadmapFactory(basin=territory["grenoble"], title="FdR Grenoble")
    client.force_login(region_reviewer)
    html = client.get(list_url(territory["grenoble"])).content.decode()
    assert "FdR Grenoble" in html
    assert 'id="roadmap-create"' not in html


@pytest.mark.django_db
def test_roadmap_list_shows_only_this_basin(client, member, territory):
    factories.RoadmapFactory(basin=territory["grenoble"], title="FdR Grenoble")
    factories.RoadmapFactory(basin=territory["oyonnax"], title="FdR Oyonnax")
    client.force_login(member)
    html = client.get(list_url(territory["grenoble"])).content.decode()
    assert "FdR Grenoble" in html
    assert "FdR Oyonnax" not in html


@pytest.mark.django_db
def test_roadmap_list_is_paginated_with_bounded_queries(
    client, member, territory, django_assert_max_num_queries
):
    for start in range(2000, 2060, 2):
        factories.RoadmapFactory(
            basin=territory["grenoble"], period_start=start, period_end=start + 1
        )
    client.force_login(member)
    with django_assert_max_num_queries(10):
        response = client.get(list_url(territory["grenoble"]))
    html = response.content.decode()
    assert html.count('<tr id="roadmap-') == 25
    assert "Page suivante" in html


@pytest.mark.django_db
def test_roadmap_list_partial_matches_the_full_page(client, member, territory):
    factories.RoadmapFactory(basin=territory["grenoble"], title="FdR Grenoble")
    client.force_login(member)
    partial = client.get(list_url(territory["grenoble"]), **HTMX)
    full = client.get(list_url(territory["grenoble"]))
    assert "<html" not in partial.content.decode()
    assert "FdR Grenoble" in partial.content.decode()
    assert normalize(partial.content.decode()) in normalize(full.content.decode())
