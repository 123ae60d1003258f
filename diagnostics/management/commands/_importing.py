"""Shared code of the import_* commands: one run, progress, a report."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from diagnostics import provenance
from diagnostics.importers import base
from diagnostics.models import ImportRun, ImportStatus


class _StdoutHandler(logging.Handler):
    def __init__(self, command):
        super().__init__(logging.INFO)
        self.command = command

    def emit(self, record):
        self.command.stdout.write(self.format(record))


class ImportCommand(BaseCommand):
    """Dry run unless --wet-run: everything is rolled back, the report printed."""

    kind: str = ""

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier CSV (UTF-8, séparateur virgule).")
        parser.add_argument(
            "--wet-run",
            action="store_true",
            help="Enregistrer pour de bon (sans cette option : simulation).",
        )
        parser.add_argument(
            "--vintage",
            default="",
            help="Millésime des données (ex. « stock Sirene au 1er janvier "
            "2026 ») ; à défaut, lu dans le fichier quand il l'indique.",
        )

    def run_import(self, run: ImportRun, **options) -> ImportRun:
        raise NotImplementedError

    def handle(self, *args, **options):
        path = Path(options["path"]).resolve()
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        dry_run = not options["wet_run"]
        facts = provenance.describe_file(
            kind=self.kind, path=path, declared_vintage=options["vintage"]
        )
        run = ImportRun.objects.create(
            kind=self.kind,
            file_name=path.name,
            file_path=str(path),
            size=path.stat().st_size,
            dry_run=dry_run,
            vintage=facts.vintage,
            generated=facts.generated,
        )
        if facts.generated:
            self.stdout.write(
                "Fichier du générateur de démonstration : ses chiffres seront "
                "signalés comme données de démonstration (générées)."
            )
        handler = _StdoutHandler(self)
        logger = base.progress_logger
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.INFO if options["verbosity"] >= 1 else logging.WARNING)
        try:
            run = self.run_import(run, dry_run=dry_run, **options)
        finally:
            logger.removeHandler(handler)
            logger.propagate = True
        if run.status == ImportStatus.FAILED:
            raise CommandError(run.error_message)
        self.report(run)

    def report(self, run: ImportRun) -> None:
        unit = run.report.get("unit", "lignes")
        self.stdout.write(
            f"{run.rows_read} lignes lues en {run.duration or 0:.1f} s ; en {unit} : "
            f"{run.inserted} créée(s), {run.updated} modifiée(s), "
            f"{run.unchanged} inchangée(s), {run.rejected} ligne(s) rejetée(s)."
        )
        labels = run.report.get("labels", {})
        for title, key in (("Rejets", "rejects"), ("Remarques", "warnings")):
            for code, count in sorted(run.report.get(key, {}).items()):
                self.stdout.write(f"  {title} — {labels.get(code, code)} : {count}")
        if run.rejects_file:
            self.stdout.write(f"Lignes rejetées : {run.rejects_file.path}")
        if run.dry_run:
            self.stdout.write(
                self.style.WARNING(
                    "Simulation : rien n'a été enregistré. Relancez avec --wet-run "
                    "pour enregistrer."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Import n° {run.pk} enregistré."))
