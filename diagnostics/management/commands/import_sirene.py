from diagnostics.importers.sirene import import_sirene
from diagnostics.management.commands._importing import ImportCommand
from diagnostics.models import ImportKind


class Command(ImportCommand):
    help = (
        "Importe un stock SIRENE des établissements "
        "(StockEtablissement_utf8.csv, 48 ou 54 colonnes). Simulation sans "
        "--wet-run."
    )
    kind = ImportKind.SIRENE

    def run_import(self, run, **options):
        return import_sirene(run=run, dry_run=options["dry_run"])
