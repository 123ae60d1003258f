from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from basins import services


class Command(BaseCommand):
    help = (
        "Importe les zones d'emploi 2020 de l'INSEE (feuilles ZE2020 et "
        "Composition_communale exportées en CSV). Simulation sans --wet-run."
    )

    def add_arguments(self, parser):
        data = Path(settings.DATA_DIR)
        parser.add_argument(
            "--zones", default=data / "insee_ze2020_zones_geo2023.csv", type=Path
        )
        parser.add_argument(
            "--communes", default=data / "insee_ze2020_communes_geo2023.csv", type=Path
        )
        parser.add_argument(
            "--populations",
            type=Path,
            default=None,
            help="Fichier des communes Etalab (COG) pour la population légale.",
        )
        parser.add_argument("--wet-run", action="store_true")

    def handle(self, *args, zones, communes, populations, wet_run, **options):
        try:
            report = services.import_zones(
                zones=services.read_csv(zones, required=services.ZONE_COLUMNS),
                communes=services.read_csv(communes, required=services.COMMUNE_COLUMNS),
                populations=services.read_populations(populations)
                if populations
                else None,
                dry_run=not wet_run,
            )
        except (services.ImportFileError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.summary())
        if not wet_run:
            self.stdout.write("Simulation : rien n'a été enregistré (--wet-run).")
