"""The roadmap admin is read-only and goes through visible_to."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from basins.enums import Role
from roadmap.models import Roadmap
from tests.basins.factories import MembershipFactory, UserFactory
from tests.roadmap import factories


@pytest.fixture
def staff_member(territory):
    user = UserFactory(username="agent", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_roadmap", "view_skill", "view_auditevent"]
        )
    )
    MembershipFactory(user=user, role=Role.MEMBER, basin=territory["grenoble"])
    return user


@pytest.mark.django_db
def test_staff_sees_only_their_basin_roadmaps(client, staff_member, territory):
    own = factories.RoadmapFactory(basin=territory["grenoble"])
    factories.RoadmapFactory(basin=territory["chateauroux"])
    client.force_login(staff_member)
    response = client.get(reverse("admin:roadmap_roadmap_changelist"))
    assert list(response.context["cl"].result_list) == [own]


@pytest.mark.django_db
def test_staff_items_list_is_limited_to_their_territory(
    client, staff_member, territory
):
    own = factories.SkillFactory(
        roadmap=factories.RoadmapFactory(basin=territory["grenoble"])
    )
    factories.SkillFactory(
        roadmap=factories.RoadmapFactory(basin=territory["chateauroux"])
    )
    client.force_login(staff_member)
    response = client.get(reverse("admin:roadmap_skill_changelist"))
    assert list(response.context["cl"].result_list) == [own]


@pytest.mark.django_db
def test_admin_cannot_change_roadmaps_outside_the_services(admin_client, territory):
    roadmap = factories.RoadmapFactory(basin=territory["grenoble"])
    url = reverse("admin:roadmap_roadmap_change", args=[roadmap.pk])
    response = admin_client.post(url, {"title": "Changé en douce"})
    assert response.status_code == 403
    assert Roadmap.objects.get().title != "Changé en douce"


@pytest.mark.django_db
def test_admin_has_no_add_or_delete_for_items(admin_client):
    assert admin_client.get(reverse("admin:roadmap_skill_add")).status_code == 403
    skill = factories.SkillFactory()
    url = reverse("admin:roadmap_skill_delete", args=[skill.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert type(skill).objects.filter(pk=skill.pk).exists()
