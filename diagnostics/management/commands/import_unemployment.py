from diagnostics.importers.insee import import_unemployment
from diagnostics.management.commands._importing import ImportCommand
from diagnostics.models import ImportKind


class Command(ImportCommand):
    help = (
        "Importe les taux de chômage localisés trimestriels par zone d'emploi "
        "(INSEE). Simulation sans --wet-run."
    )
    kind = ImportKind.UNEMPLOYMENT

    def run_import(self, run, **options):
        return import_unemployment(run=run, dry_run=options["dry_run"])
