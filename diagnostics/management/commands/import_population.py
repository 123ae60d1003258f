from diagnostics.importers.insee import import_population
from diagnostics.management.commands._importing import ImportCommand
from diagnostics.models import ImportKind


class Command(ImportCommand):
    help = (
        "Importe la population historique par zone d'emploi et année de "
        "recensement (INSEE, ANCT). Simulation sans --wet-run."
    )
    kind = ImportKind.POPULATION

    def run_import(self, run, **options):
        return import_population(run=run, dry_run=options["dry_run"])
