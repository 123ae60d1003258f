from diagnostics.importers.bmo import import_bmo
from diagnostics.management.commands._importing import ImportCommand
from diagnostics.models import ImportKind


class Command(ImportCommand):
    help = (
        "Importe l'enquête Besoins en main-d'œuvre de France Travail, répartie "
        "sur les zones d'emploi au prorata de la population des communes. "
        "Simulation sans --wet-run."
    )
    kind = ImportKind.BMO

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--communes",
            help="Table communes -> bassins BMO (par défaut : "
            "francetravail_bassins_bmo_communes.csv du dossier de données).",
        )

    def run_import(self, run, **options):
        return import_bmo(
            run=run, dry_run=options["dry_run"], communes_path=options["communes"]
        )
