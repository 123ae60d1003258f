"""django-import-export resources for the small files that fit the admin.

Only the population file has one row per stored value (codgeo, an, pop); the
unemployment file (one column per quarter) and the BMO file (spread over
zones) go through the upload page and their importer instead.
"""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget, IntegerWidget

from basins.models import Basin
from diagnostics.importers import insee
from diagnostics.importers.validation import ImportFileError, check_columns
from diagnostics.models import PopulationCount


class CachedForeignKeyWidget(ForeignKeyWidget):
    """Look every basin up once per import, not once per row."""

    def __init__(self, model, field="pk", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self._cache = None

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        if self._cache is None:
            self._cache = {
                str(getattr(obj, self.field)): obj
                for obj in self.get_queryset(value, row)
            }
        try:
            return self._cache[str(value).strip()]
        except KeyError:
            raise ValueError(
                f"Zone d'emploi inconnue « {value} » : importez d'abord les zones."
            ) from None


class PopulationCountResource(resources.ModelResource):
    basin = fields.Field(
        attribute="basin",
        column_name="codgeo",
        widget=CachedForeignKeyWidget(Basin, field="code"),
    )
    year = fields.Field(attribute="year", column_name="an", widget=IntegerWidget())
    population = fields.Field(
        attribute="population", column_name="pop", widget=IntegerWidget()
    )

    class Meta:
        model = PopulationCount
        import_id_fields = ("basin", "year")
        fields = ("basin", "year", "population")
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        try:
            check_columns(
                list(dataset.headers or []),
                required=insee.POPULATION_COLUMNS,
                name="le fichier",
            )
        except ImportFileError as error:
            raise ValueError(str(error)) from None
        super().before_import(dataset, **kwargs)
