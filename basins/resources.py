"""django-import-export resources for the INSEE zones d'emploi sheets."""

from import_export import fields, resources
from import_export.widgets import CachedForeignKeyWidget

from basins import services
from basins.models import Basin, Commune, Department, Region

# A spreadsheet runs a cell starting with one of these as a formula (CSV
# injection); IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips "=".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


class FormulaSafeExportMixin:
    """Exported text starting like a formula gets a leading apostrophe."""

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_TRIGGERS):
            return "'" + value
        return value


class CheckedHeaderMixin:
    """Refuse a file whose header lacks a required column, naming it."""

    required_columns: tuple[str, ...] = ()

    def before_import(self, dataset, **kwargs):
        try:
            services.check_header(
                list(dataset.headers or []),
                required=self.required_columns,
                name="le fichier",
            )
        except services.ImportFileError as error:
            raise ValueError(str(error)) from None
        super().before_import(dataset, **kwargs)


class CodeWidget(CachedForeignKeyWidget):
    """Look a row up by its code (one query per import), in French on a miss."""

    def __init__(self, model, field, *, unknown: str):
        super().__init__(model, field=field)
        self.unknown = unknown

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            # A ValueError becomes a per-row validation error in the preview.
            raise ValueError(f"{self.unknown} « {value} ».") from None


class BasinResource(
    FormulaSafeExportMixin, CheckedHeaderMixin, resources.ModelResource
):
    required_columns = services.ZONE_COLUMNS
    code = fields.Field(attribute="code", column_name="ZE2020")
    name = fields.Field(attribute="name", column_name="LIBZE2020")

    class Meta:
        model = Basin
        import_id_fields = ("code",)
        fields = ("code", "name")
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True


class CommuneResource(
    FormulaSafeExportMixin, CheckedHeaderMixin, resources.ModelResource
):
    required_columns = services.COMMUNE_COLUMNS
    code = fields.Field(attribute="code", column_name="CODGEO")
    name = fields.Field(attribute="name", column_name="LIBGEO")
    basin = fields.Field(
        attribute="basin",
        column_name="ZE2020",
        widget=CodeWidget(Basin, "code", unknown="Zone d'emploi inconnue"),
    )
    department = fields.Field(
        attribute="department",
        column_name="DEP",
        widget=CodeWidget(Department, "code", unknown="Département inconnu"),
    )

    class Meta:
        model = Commune
        import_id_fields = ("code",)
        fields = ("code", "name", "basin", "department")
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # Departments and regions come with the communes: create the missing
        # ones so that the foreign keys resolve.
        rows = [dict(zip(dataset.headers, row, strict=False)) for row in dataset]
        report = services.ImportReport()
        services._upsert_regions_and_departments(
            [r for r in rows if r.get("DEP") and r.get("REG")], report
        )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        rows = [dict(zip(dataset.headers, row, strict=False)) for row in dataset]
        basins = {b.code: b for b in Basin.objects.all()}
        services._link_basins_to_territories(
            [r for r in rows if r.get("ZE2020") in basins], basins
        )


__all__ = ["BasinResource", "CommuneResource", "Region"]
