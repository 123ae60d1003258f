import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from diagnostics.models import ImportKind, ImportRun, ImportStatus

PUBLIC_FILES = [
    (
        "import_unemployment",
        ImportKind.UNEMPLOYMENT,
        "insee_chomage_localise_ze2020_2003T1-2023T3.csv",
    ),
    (
        "import_population",
        ImportKind.POPULATION,
        "anct_insee_population_historique_1876-2020_ze2020.csv",
    ),
    ("import_bmo", ImportKind.BMO, "francetravail_bmo_2024.csv"),
]
# Enough rows for each basin's figures to rest on more than a handful of
# establishments (see bench/calibration.py); about 60,000 are active.
DEMO_SIRENE_ROWS = 100_000


class Command(BaseCommand):
    help = (
        "Démonstration complète : territoires et comptes (load_demo), données "
        "publiques INSEE et France Travail, un stock SIRENE généré, et une "
        "feuille de route par bassin. Idempotent : ce qui existe est gardé."
    )

    def handle(self, *args, **options):
        call_command("load_demo", stdout=self.stdout)
        data = Path(settings.DATA_DIR)
        for command, kind, name in PUBLIC_FILES:
            if self._imported(kind) or not (data / name).exists():
                continue
            call_command(command, data / name, "--wet-run", verbosity=0)
            self.stdout.write(f"Importé : {name}")
        if not self._imported(ImportKind.SIRENE):
            self._import_generated_sirene()
        call_command("generate_national_demo", "--seed", "1", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS("Feuilles de route de démonstration prêtes.")
        )

    def _imported(self, kind) -> bool:
        return ImportRun.objects.filter(
            kind=kind, status=ImportStatus.SUCCEEDED, dry_run=False
        ).exists()

    def _import_generated_sirene(self):
        # No real SIRENE rows ship with the project: a seeded generator writes
        # a small stock in the official format.
        path = Path(settings.MEDIA_ROOT) / "demo" / "StockEtablissement_demo.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        generator = Path(settings.BASE_DIR) / "bench" / "sirene.py"
        subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [
                sys.executable,
                generator,
                "--rows",
                str(DEMO_SIRENE_ROWS),
                "--seed",
                "1",
                "--out",
                path,
                "--data-dir",
                settings.DATA_DIR,
            ],
            check=True,
        )
        call_command("import_sirene", path, "--wet-run", verbosity=0)
        # The importer reads the generator's mark in the file; the loader,
        # which wrote the file, says so too.
        ImportRun.objects.filter(
            kind=ImportKind.SIRENE, file_path=str(path), dry_run=False
        ).update(generated=True)
        self.stdout.write(
            f"Stock SIRENE de démonstration (généré) importé : {DEMO_SIRENE_ROWS:,} "
            "établissements fictifs".replace(",", "\u202f")
        )
