"""Alert thresholds in the admin: editable by admins, scoped for staff."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from roadmap.models import AlertThreshold


@pytest.fixture
def thresholds(territory):
    return {
        "ara": AlertThreshold.objects.create(region=territory["ara"]),
        "cvl": AlertThreshold.objects.create(
            region=territory["cvl"], crowding_out_threshold_pct=Decimal("45")
        ),
    }


def test_default_threshold_is_thirty_percent(thresholds):
    assert thresholds["ara"].crowding_out_threshold_pct == Decimal("30")


def test_threshold_above_one_hundred_is_refused(thresholds):
    thresholds["ara"].crowding_out_threshold_pct = Decimal("120")
    with pytest.raises(ValidationError):
        thresholds["ara"].full_clean()


def test_admin_changes_a_threshold(client, admin_user, thresholds):
    client.force_login(admin_user)
    url = reverse("admin:roadmap_alertthreshold_change", args=[thresholds["cvl"].pk])
    response = client.post(
        url, {"region": "24", "crowding_out_threshold_pct": "25"}, follow=True
    )
    assert response.status_code == 200
    thresholds["cvl"].refresh_from_db()
    assert thresholds["cvl"].crowding_out_threshold_pct == Decimal("25")


def test_staff_reviewer_sees_only_the_thresholds_of_the_region(
    client, region_reviewer, thresholds
):
    region_reviewer.is_staff = True
    region_reviewer.save()
    region_reviewer.user_permissions.add(
        Permission.objects.get(codename="view_alertthreshold")
    )
    client.force_login(region_reviewer)
    html = client.get(reverse("admin:roadmap_alertthreshold_changelist")).content
    assert "Auvergne-Rhône-Alpes" in html.decode()
    assert "Centre-Val de Loire" not in html.decode()
    other = reverse("admin:roadmap_alertthreshold_change", args=[thresholds["cvl"].pk])
    # Outside the scoped queryset: the admin answers "does not exist".
    response = client.get(other)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
