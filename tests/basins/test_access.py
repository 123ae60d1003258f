import pytest
from django.contrib.auth.models import AnonymousUser

from basins.models import Basin


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


@pytest.mark.django_db
def test_member_sees_only_their_basin(member):
    assert codes(Basin.objects.visible_to(member)) == ["8409"]


@pytest.mark.django_db
def test_department_reviewer_sees_every_basin_touching_the_department(
    department_reviewer,
):
    assert codes(Basin.objects.visible_to(department_reviewer)) == ["8409", "8499"]


@pytest.mark.django_db
def test_region_reviewer_sees_the_region_basins(region_reviewer):
    assert codes(Basin.objects.visible_to(region_reviewer)) == ["8409", "8425", "8499"]


@pytest.mark.django_db
def test_reviewer_edits_no_basin(region_reviewer):
    assert not Basin.objects.editable_by(region_reviewer).exists()


@pytest.mark.django_db
def test_member_edits_but_does_not_lead(member):
    assert codes(Basin.objects.editable_by(member)) == ["8409"]
    assert not Basin.objects.led_by(member).exists()


@pytest.mark.django_db
def test_lead_leads_their_basin(lead):
    assert codes(Basin.objects.led_by(lead)) == ["8409"]


@pytest.mark.django_db
def test_admin_sees_all(admin_user, territory):
    assert Basin.objects.visible_to(admin_user).count() == 4


@pytest.mark.django_db
def test_outsider_and_anonymous_see_nothing(outsider, territory):
    assert not Basin.objects.visible_to(outsider).exists()
    assert not Basin.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_inactive_user_sees_nothing(member):
    member.is_active = False
    assert not Basin.objects.visible_to(member).exists()
