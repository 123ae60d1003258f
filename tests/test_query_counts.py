"""Every list and dashboard page runs as many queries for a small territory as
for a large one: each page is counted at two data sizes, cold (empty cache)
and warm, and the count must not grow."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmap.enums import StageKind
from tests.basins.factories import BasinFactory
from tests.diagnostics.compute_factories import EstablishmentFactory, ImportRunFactory
from tests.roadmap import factories
from tests.roadmap.test_dashboard import national


def count(client, url, *, cold):
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def counts(client, url):
    """(cold, warm) query counts of ``url``."""
    return count(client, url, cold=True), count(client, url, cold=False)


def assert_no_growth(client, url, grow):
    small = counts(client, url)
    grow()
    large = counts(client, url)
    assert large <= small, (url, small, large)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["dashboard", "dashboard_queue", "dashboard_alerts", "dashboard_indicators"],
)
@pytest.mark.parametrize("user", ["region_reviewer", "admin_user"])
def test_dashboard_pages_do_not_grow_from_1_to_30_basins(
    client, request, territory, name, user
):
    client.force_login(request.getfixturevalue(user))
    national(1, territory)
    assert_no_growth(
        client, reverse(f"roadmap:{name}"), lambda: national(29, territory, start=1)
    )


@pytest.mark.django_db
def test_basin_list_does_not_grow_from_10_to_300_basins(
    client, department_reviewer, territory
):
    client.force_login(department_reviewer)

    def basins(start, end):
        for n in range(start, end):
            BasinFactory(code=f"{5000 + n}", departments=[territory["isere"]])

    basins(0, 10)
    assert_no_growth(client, reverse("basins:home"), lambda: basins(10, 300))


@pytest.mark.django_db
def test_basin_roadmaps_do_not_grow_from_1_to_30_roadmaps(client, lead, territory):
    client.force_login(lead)
    basin = territory["grenoble"]
    factories.RoadmapFactory(basin=basin, period_start=2000)

    def roadmaps():
        for n in range(1, 30):
            factories.RoadmapFactory(basin=basin, period_start=2000 + 2 * n)

    url = reverse("roadmap:basin_roadmaps", kwargs={"code": basin.code})
    assert_no_growth(client, url, roadmaps)


@pytest.fixture
def roadmap(territory):
    return factories.RoadmapFactory(basin=territory["grenoble"], period_start=2026)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["competences", "formations", "risques"])
def test_item_lists_do_not_grow_from_1_to_30_items(client, member, roadmap, slug):
    client.force_login(member)
    factories.make_item(slug, roadmap)

    def items():
        for _ in range(29):
            factories.make_item(slug, roadmap)

    url = reverse("roadmap:item_list", kwargs={"roadmap_pk": roadmap.pk, "kind": slug})
    assert_no_growth(client, url, items)


@pytest.mark.django_db
def test_risk_register_and_overview_do_not_grow_from_1_to_30_items(
    client, member, roadmap
):
    client.force_login(member)
    factories.make_item("risques", roadmap)
    factories.make_item("mesures", roadmap)

    def items():
        for _ in range(29):
            factories.make_item("risques", roadmap)
            factories.make_item("mesures", roadmap)
            factories.make_item("indicateurs", roadmap)

    for url in (
        reverse("roadmap:risks", kwargs={"roadmap_pk": roadmap.pk}),
        reverse("roadmap:overview", kwargs={"pk": roadmap.pk}),
        roadmap.stages.get(number=StageKind.MONITORING).get_absolute_url(),
    ):
        assert_no_growth(client, url, items)


@pytest.mark.django_db
def test_import_list_does_not_grow_from_1_to_30_runs(client, admin_user):
    client.force_login(admin_user)
    ImportRunFactory()

    def runs():
        for _ in range(29):
            ImportRunFactory()

    assert_no_growth(client, reverse("diagnostics:import_list"), runs)


@pytest.mark.django_db
def test_diagnostic_page_does_not_grow_from_10_to_1000_establishments(
    client, member, territory
):
    client.force_login(member)
    basin = territory["grenoble"]
    ImportRunFactory()
    EstablishmentFactory.create_batch(10, basin=basin)

    def establishments():
        EstablishmentFactory.create_batch(990, basin=basin)

    url = reverse("diagnostics:basin_diagnostic", kwargs={"code": basin.code})
    assert_no_growth(client, url, establishments)
