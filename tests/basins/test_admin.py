"""The admin goes through visible_to: staff see only their territory."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from basins.enums import Role
from tests.basins.factories import CommuneFactory, MembershipFactory, UserFactory


@pytest.fixture
def staff_member(territory):
    """Staff with view rights on basins and communes, on Grenoble's committee."""
    user = UserFactory(username="agent", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_basin", "view_commune", "view_membership"]
        )
    )
    MembershipFactory(user=user, role=Role.MEMBER, basin=territory["grenoble"])
    return user


@pytest.mark.django_db
def test_staff_changelist_shows_only_visible_basins(client, staff_member):
    client.force_login(staff_member)
    response = client.get(reverse("admin:basins_basin_changelist"))
    assert response.status_code == 200
    shown = [basin.code for basin in response.context["cl"].result_list]
    assert shown == ["8409"]


@pytest.mark.django_db
def test_staff_cannot_open_a_basin_outside_their_territory(
    client, staff_member, territory
):
    client.force_login(staff_member)
    url = reverse("admin:basins_basin_change", args=[territory["oyonnax"].pk])
    response = client.get(url)
    # The admin answers "does not exist" by a redirect to its index.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_staff_commune_list_is_limited_to_visible_basins(
    client, staff_member, territory
):
    CommuneFactory(code="38185", basin=territory["grenoble"])
    CommuneFactory(code="01283", basin=territory["oyonnax"])
    client.force_login(staff_member)
    response = client.get(reverse("admin:basins_commune_changelist"))
    assert [c.code for c in response.context["cl"].result_list] == ["38185"]


@pytest.mark.django_db
def test_staff_without_add_permission_cannot_import(client, staff_member):
    client.force_login(staff_member)
    assert client.get(reverse("admin:basins_basin_import")).status_code == 403


@pytest.mark.django_db
def test_staff_membership_list_is_limited_to_their_territory(
    client, staff_member, territory, department_reviewer
):
    oyonnax_lead = MembershipFactory(role=Role.LEAD, basin=territory["oyonnax"])
    indre_reviewer = MembershipFactory(
        role=Role.REVIEWER, basin=None, department=territory["indre"]
    )
    client.force_login(staff_member)
    response = client.get(reverse("admin:basins_membership_changelist"))
    shown = set(response.context["cl"].result_list)
    assert staff_member.memberships.get() in shown
    assert department_reviewer.memberships.get() in shown
    assert oyonnax_lead not in shown
    assert indre_reviewer not in shown
