from django.contrib import admin
from import_export.admin import ExportMixin, ImportExportModelAdmin

from basins.admin import SafeImportMixin
from diagnostics.importers.resources import PopulationCountResource
from diagnostics.models import (
    Establishment,
    HiringProjects,
    ImportRun,
    NafDivision,
    NafSection,
    NafSubclass,
    PopulationCount,
    UnemploymentRate,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by imports only: never edited by hand in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "file_name",
        "status",
        "dry_run",
        "user",
        "rows_read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
    )
    list_filter = ("kind", "status", "dry_run")
    list_select_related = ("user",)
    search_fields = ("file_name", "checksum")
    date_hierarchy = "created_at"


@admin.register(Establishment)
class EstablishmentAdmin(ReadOnlyAdmin):
    list_display = (
        "siret",
        "name",
        "naf_code",
        "headcount_band",
        "commune_code",
        "basin",
        "is_active",
    )
    list_filter = ("is_active", "naf_section", "headcount_band")
    list_select_related = ("basin",)
    search_fields = ("=siret", "=siren", "name")
    show_full_result_count = False


@admin.register(UnemploymentRate)
class UnemploymentRateAdmin(ExportMixin, ReadOnlyAdmin):
    list_display = ("basin", "quarter", "rate")
    list_select_related = ("basin",)
    search_fields = ("basin__code", "basin__name", "quarter")


@admin.register(PopulationCount)
class PopulationCountAdmin(SafeImportMixin, ImportExportModelAdmin, ReadOnlyAdmin):
    """Import with preview; nothing is written unless every row is valid."""

    resource_classes = [PopulationCountResource]
    list_display = ("basin", "year", "population")
    list_select_related = ("basin",)
    search_fields = ("basin__code", "basin__name")
    list_filter = ("year",)


@admin.register(HiringProjects)
class HiringProjectsAdmin(ExportMixin, ReadOnlyAdmin):
    list_display = (
        "basin",
        "year",
        "occupation_code",
        "occupation_label",
        "projects",
        "difficult",
        "seasonal",
        "confidential",
    )
    list_select_related = ("basin",)
    search_fields = ("basin__code", "basin__name", "occupation_code")
    list_filter = ("year", "confidential")


@admin.register(NafSection)
class NafSectionAdmin(ReadOnlyAdmin):
    list_display = ("code", "label")


@admin.register(NafDivision)
class NafDivisionAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "section")
    list_filter = ("section",)


@admin.register(NafSubclass)
class NafSubclassAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "division")
    search_fields = ("code", "label")
