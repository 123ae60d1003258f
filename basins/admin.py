from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from import_export.admin import ImportExportModelAdmin

from basins.models import Basin, Commune, Department, Membership, Region
from basins.resources import BasinResource, CommuneResource


class SafeImportMixin:
    """Nothing is written unless every row of the file is valid."""

    def get_import_data_kwargs(self, **kwargs):
        data_kwargs = super().get_import_data_kwargs(**kwargs)
        data_kwargs["rollback_on_validation_errors"] = True
        return data_kwargs


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region")
    list_select_related = ("region",)
    search_fields = ("code", "name")


@admin.register(Basin)
class BasinAdmin(SafeImportMixin, ImportExportModelAdmin):
    resource_classes = [BasinResource]
    list_display = ("code", "name")
    search_fields = ("code", "name")
    filter_horizontal = ("departments", "regions")

    def get_queryset(self, request):
        return Basin.objects.visible_to(request.user)


@admin.register(Commune)
class CommuneAdmin(SafeImportMixin, ImportExportModelAdmin):
    resource_classes = [CommuneResource]
    list_display = ("code", "name", "department", "basin", "population")
    list_select_related = ("department", "basin")
    search_fields = ("code", "name")
    list_filter = ("department__region",)
    raw_id_fields = ("basin", "department")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(basin__in=Basin.objects.visible_to(request.user))
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "basin", "department", "region")
    list_filter = ("role",)
    search_fields = ("user__username", "user__last_name", "basin__name")
    raw_id_fields = ("user", "basin")
    list_select_related = ("user", "basin", "department", "region")

    def get_queryset(self, request):
        """Memberships on a visible basin, or over a territory touching one."""
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = Basin.objects.visible_to(request.user)
        return queryset.filter(
            Q(basin__in=visible)
            | Exists(visible.filter(departments=OuterRef("department")))
            | Exists(visible.filter(regions=OuterRef("region")))
        )
