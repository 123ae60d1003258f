"""INSEE indicators by zone d'emploi 2020: unemployment and population.

- Localised unemployment (``chomage-zone-t1-2003-t3-2023``, sheet txcho_ze,
  exported as CSV): ``ZE2020, LIBZE2020, REG, LIBREG`` then one column per
  quarter named like ``2003-T1``, rates in %, seasonally adjusted. Quarter
  columns are found by their name (``^\\d{4}-T[1-4]$``), so a newer file with
  more quarters needs no change. An empty cell is a missing value: skipped
  and counted, never stored as 0.
- Historical population (ANCT export of INSEE censuses): ``codgeo, libgeo,
  an, pop``.

Zone codes unknown to the basins table (e.g. a zone of a newer or older
vintage) are rejected and listed with the line in the rejects CSV; a value
that is not a number makes the whole file refused (nothing written).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from basins.models import Basin
from diagnostics.importers import base, tabular
from diagnostics.importers.validation import CsvStream, ImportFileError, inspect_csv
from diagnostics.models import ImportRun, PopulationCount, UnemploymentRate

UNEMPLOYMENT_COLUMNS = ("ZE2020", "LIBZE2020")
QUARTER_RE = re.compile(r"(\d{4})-T([1-4])")
POPULATION_COLUMNS = ("codgeo", "libgeo", "an", "pop")

REJECT_LABELS = {
    "zone_inconnue": "Zone d'emploi absente de la table des bassins",
}
WARNING_LABELS = {
    "valeur_absente": "Valeur absente (cellule vide) : non enregistrée",
}


def check_unemployment_file(path: Path | str, *, name: str | None = None):
    """Check the head of a localised unemployment file."""
    return inspect_csv(
        path, required=UNEMPLOYMENT_COLUMNS, name=name, patterns=[QUARTER_RE]
    )


def check_population_file(path: Path | str, *, name: str | None = None):
    """Check the head of a population file."""
    return inspect_csv(path, required=POPULATION_COLUMNS, name=name)


def _import_by_zone(
    run: ImportRun,
    path: Path | str | None,
    dry_run: bool,
    *,
    required: tuple[str, ...],
    model,
    keys: tuple[str, ...],
    fields: tuple[str, ...],
    read,
    details: dict | None = None,
) -> ImportRun:
    """The frame both importers share: stream the file, collect its records
    (``read(stream, basins, records, outcome, reject)``, natural key ->
    values), reject unknown zones into the rejects file, then write the
    records that changed."""

    def work(path: Path, progress: base.ProgressReporter) -> base.Outcome:
        outcome = base.Outcome()
        basins = dict(Basin.objects.values_list("code", "pk"))
        records: dict[tuple, dict] = {}
        rejects = None

        def reject(columns, *, line: int, values: list[str]) -> None:
            nonlocal rejects
            rejects = tabular.reject(
                rejects,
                run,
                columns,
                line=line,
                reason="zone_inconnue",
                values=values,
                outcome=outcome,
            )

        try:
            name = run.file_name or path.name
            with CsvStream(path, required=required, name=name) as stream:
                read(stream, basins, records, outcome, reject)
        finally:
            if rejects is not None:
                rejects.close()
                run.rejects_file.name = rejects.name
        tabular.upsert(
            model, keys=keys, fields=fields, records=records, run=run, outcome=outcome
        )
        outcome.details["labels"] = {**REJECT_LABELS, **WARNING_LABELS}
        outcome.details.update(details or {})
        return outcome

    return base.execute(
        run, path=base.resolve_path(run, path), dry_run=dry_run, work=work
    )


def import_unemployment(
    *, path: Path | str | None = None, run: ImportRun, dry_run: bool = False
) -> ImportRun:
    """Import quarterly unemployment rates by zone d'emploi; idempotent."""

    def read(stream, basins, records, outcome, reject) -> None:
        quarters = [
            (position, column, QUARTER_RE.fullmatch(column))
            for position, column in enumerate(stream.columns)
            if QUARTER_RE.fullmatch(column)
        ]
        if not quarters:
            raise ImportFileError(
                f"Aucune colonne de trimestre (ex. 2023-T3) dans {stream.name}."
            )
        code_at = stream.index("ZE2020")
        for line, values in stream:
            outcome.rows_read += 1
            basin_id = basins.get(values[code_at].strip())
            if basin_id is None:
                reject(stream.columns[:4], line=line, values=values[:4])
                continue
            for position, column, match in quarters:
                cell = values[position].strip()
                if not cell:
                    outcome.warnings["valeur_absente"] += 1
                    continue
                records[(basin_id, column)] = {
                    "period_start": date(int(match[1]), 3 * int(match[2]) - 2, 1),
                    "rate": _rate(cell, line=line, column=column, name=stream.name),
                }

    return _import_by_zone(
        run,
        path,
        dry_run,
        required=UNEMPLOYMENT_COLUMNS,
        model=UnemploymentRate,
        keys=("basin_id", "quarter"),
        fields=("period_start", "rate"),
        read=read,
        details={"unit": "valeurs"},
    )


def _rate(cell: str, *, line: int, column: str, name: str) -> Decimal:
    try:
        rate = Decimal(cell.replace(",", ".")).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ImportFileError(
            f"Ligne {line} du fichier {name}, colonne {column} : « {cell} » "
            "n'est pas un taux (nombre attendu, ex. 7.4)."
        ) from None
    if not Decimal(0) <= rate <= Decimal(100):
        raise ImportFileError(
            f"Ligne {line} du fichier {name}, colonne {column} : taux {cell} "
            "hors de l'intervalle 0–100 %."
        )
    return rate


def import_population(
    *, path: Path | str | None = None, run: ImportRun, dry_run: bool = False
) -> ImportRun:
    """Import census populations by zone d'emploi and year; idempotent."""

    def read(stream, basins, records, outcome, reject) -> None:
        name = stream.name
        code_at, year_at, pop_at = (
            stream.index("codgeo"),
            stream.index("an"),
            stream.index("pop"),
        )
        for line, values in stream:
            outcome.rows_read += 1
            year, population = values[year_at].strip(), values[pop_at].strip()
            if not (len(year) == 4 and year.isdigit()):
                raise ImportFileError(
                    f"Ligne {line} du fichier {name} : année « {year} » "
                    "invalide (4 chiffres attendus)."
                )
            if not population:
                outcome.warnings["valeur_absente"] += 1
                continue
            if not population.isdigit():
                raise ImportFileError(
                    f"Ligne {line} du fichier {name} : population "
                    f"« {population} » invalide (nombre entier attendu)."
                )
            basin_id = basins.get(values[code_at].strip())
            if basin_id is None:
                reject(
                    POPULATION_COLUMNS,
                    line=line,
                    values=[values[stream.index(c)] for c in POPULATION_COLUMNS],
                )
                continue
            records[(basin_id, int(year))] = {"population": int(population)}

    return _import_by_zone(
        run,
        path,
        dry_run,
        required=POPULATION_COLUMNS,
        model=PopulationCount,
        keys=("basin_id", "year"),
        fields=("population",),
        read=read,
    )
