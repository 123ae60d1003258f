"""Import of the INSEE SIRENE stock of establishments (StockEtablissement).

Columns are read by name: the 54-column stock (since December 2025) and the
older 48-column one both work. The older one lacks dernierNumeroVoie-,
indiceRepetitionDernierNumeroVoie-, identifiantAdresse-,
coordonneeLambertAbscisse-, coordonneeLambertOrdonneeEtablissement and
activitePrincipaleNAF25Etablissement: only the last one is used here, and it
is optional.

What happens to each row
------------------------
Rejected (not written, listed in the rejects CSV with the reason):

- ``siret_invalide``: SIRET not 14 digits (including ``[ND]``);
- ``siren_invalide``: SIREN not 9 digits, or not the start of the SIRET;
- ``siret_en_double``: a SIRET already seen higher up in the file (the first
  occurrence is kept).

Kept, with a remark counted in the report (the establishment exists; the
diagnostic simply cannot place or classify it):

- commune ``[ND]`` (non-diffusible), empty (abroad or empty) or absent from
  the basins table: kept with ``basin = NULL``. Diagnostics count only
  establishments with a basin, so these never distort a basin's figures, but
  a later zones import plus re-import places them without losing anything;
- activity in an old nomenclature (NAFRev1, NAF1993, NAP): raw code and
  nomenclature kept, no NAF rév. 2 division/section;
- ``[ND]`` activity, headcount band or name: stored blank;
- NAF rév. 2 code unknown to the NAF fixture: raw code kept, no division.

Paths
-----
PostgreSQL: the file is streamed in 1 MiB chunks (constant memory) through
``COPY ... FROM STDIN (FORMAT csv)`` into a TEMP staging table of text
columns; PostgreSQL parses the CSV and checks UTF-8. One statement then
merges: it maps communes to basins by joining a temp commune table and
derives the NAF division and section by joining the NAF fixture. Into an
empty table it is a plain ``INSERT ... SELECT``. Otherwise every row first
gets only its reject reason, remarks, basin, division and a 64-bit hash of
its raw fields (``Establishment.source_hash``); a hash join against the
current table keeps the rows that are new or whose hash, basin or division
changed, and only those get the full transform (casts, clean-ups) and the
``INSERT ... ON CONFLICT (siret) DO UPDATE``: an unchanged row is neither
transformed, written nor locked. Every row is still read and compared.
(The SQLite path compares the transformed values and leaves the hash
empty.) Why SQL rather than Python for the
mapping: Python's csv module alone takes about 2 s of CPU per million rows,
and the per-row transform (the ``transform`` function below, used on SQLite)
several more, while the whole SQL transform measured about 4 s, on the
database side, with no per-row Python at all; the time that matters is the
merge into the indexed table (about 2/3 of a first import). SQLite: Python
csv, chunks of 5,000 rows, manual upsert.
Both run in one transaction: a failure anywhere, even on the last line,
leaves the table as it was.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import time
from collections import Counter
from datetime import date
from pathlib import Path

import psycopg
from django.db import connection

from basins.services import commune_to_basin_map
from diagnostics.importers import base
from diagnostics.importers.validation import (
    CsvHead,
    CsvStream,
    ImportFileError,
    inspect_csv,
)
from diagnostics.models import Establishment, HeadcountBand, ImportRun, NafDivision

logger = logging.getLogger(__name__)

SIRET = "siret"
SIREN = "siren"
CREATED = "dateCreationEtablissement"
BAND = "trancheEffectifsEtablissement"
BAND_YEAR = "anneeEffectifsEtablissement"
NAF = "activitePrincipaleEtablissement"
NOMENCLATURE = "nomenclatureActivitePrincipaleEtablissement"
NAF25 = "activitePrincipaleNAF25Etablissement"
COMMUNE = "codeCommuneEtablissement"
COUNTRY = "codePaysEtrangerEtablissement"
STATE = "etatAdministratifEtablissement"
USUAL_NAME = "denominationUsuelleEtablissement"
SIGN = "enseigne1Etablissement"

REQUIRED_COLUMNS = (
    SIRET,
    SIREN,
    CREATED,
    BAND,
    BAND_YEAR,
    NAF,
    NOMENCLATURE,
    COMMUNE,
    STATE,
    USUAL_NAME,
    SIGN,
)
OPTIONAL_COLUMNS = (NAF25, COUNTRY)

ND = "[ND]"
NAF_REV2 = "NAFRev2"
BANDS = tuple(HeadcountBand.values)

REJECT_LABELS = {
    "siret_invalide": "SIRET absent ou invalide (14 caractères attendus)",
    "siren_invalide": "SIREN absent, invalide (9 caractères) ou différent du début "
    "du SIRET",
    "siret_en_double": "SIRET déjà présent plus haut dans le fichier",
}
WARNING_LABELS = {
    "commune_non_diffusible": "Commune non diffusible [ND] : gardé sans bassin",
    "commune_etrangere": "Établissement à l'étranger : gardé sans bassin",
    "commune_absente": "Code commune vide : gardé sans bassin",
    "commune_inconnue": "Commune absente de la table des bassins : gardé sans bassin",
    "autre_nomenclature": "Activité en ancienne nomenclature (NAFRev1, NAF1993, "
    "NAP) : gardé sans division NAF",
    "activite_non_diffusible": "Activité non diffusible [ND] : gardé sans activité",
    "activite_inconnue": "Code NAF rév. 2 absent ou inconnu : gardé sans division",
    "effectif_non_diffusible": "Tranche d'effectif non diffusible [ND] : laissée vide",
    "effectif_inconnu": "Tranche d'effectif inconnue : laissée vide",
}

# Fields compared to decide whether a row changed (import_run is not data).
DATA_FIELDS = (
    "siren",
    "created_on",
    "headcount_band",
    "headcount_year",
    "naf_code",
    "naf_nomenclature",
    "naf25_code",
    "naf_division",
    "naf_section",
    "commune_code",
    "basin_id",
    "is_active",
    "name",
)
REJECT_COLUMNS = ("siret", "siren", COMMUNE, NAF)
# The raw fields the stored values come from (besides the SIRET key).
HASHED_COLUMNS = (
    SIREN,
    CREATED,
    BAND,
    BAND_YEAR,
    NAF,
    NOMENCLATURE,
    NAF25,
    COMMUNE,
    STATE,
    USUAL_NAME,
    SIGN,
)
CHUNK_SIZE = 1024 * 1024
BATCH_SIZE = 5000


def check_file(path: Path | str, *, name: str | None = None) -> CsvHead:
    """Check a SIRENE file's head (encoding, separator, columns)."""
    return inspect_csv(path, required=REQUIRED_COLUMNS, name=name)


def import_sirene(
    *, path: Path | str | None = None, run: ImportRun, dry_run: bool = False
) -> ImportRun:
    """Import a SIRENE establishments stock file; idempotent, all or nothing."""
    file_path = base.resolve_path(run, path)

    def work(path: Path, progress: base.ProgressReporter) -> base.Outcome:
        head = check_file(path, name=run.file_name or path.name)
        total = head.estimate_rows(path.stat().st_size)
        progress.update(rows_read=0, total=total, force=True)
        if connection.vendor == "postgresql":
            outcome = _import_postgresql(path, run, head, progress)
        else:
            outcome = _import_python(path, run, progress)
        outcome.details["labels"] = {**REJECT_LABELS, **WARNING_LABELS}
        return outcome

    return base.execute(run, path=file_path, dry_run=dry_run, work=work)


# --- PostgreSQL --------------------------------------------------------------


def _column(head: CsvHead, name: str) -> str:
    index = head.index(name)
    return "NULL::text" if index is None else f"s.c{index}"


def _columns(head: CsvHead) -> dict[str, str]:
    names = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    return {name: _column(head, name) for name in names}


def _import_postgresql(
    path: Path, run: ImportRun, head: CsvHead, progress: base.ProgressReporter
) -> base.Outcome:
    outcome = base.Outcome()
    communes = commune_to_basin_map()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        # A full stock takes minutes: lift the web-request statement timeout,
        # and give the hash joins of million-row tables room in memory.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Temp tables have no useful statistics; nested loops over a million
        # rows are never the right plan here.
        cursor.execute("SET LOCAL enable_nestloop = off")
        # A merge join would sort a million SIRETs with the locale's
        # collation (seconds); hashing them is far cheaper.
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL synchronous_commit = off")
        # ON COMMIT DROP is not enough when the import runs inside an outer
        # transaction (tests, or several imports in a row).
        cursor.execute(
            f"DROP TABLE IF EXISTS {', '.join(f'pg_temp.{t}' for t in TEMP_TABLES)}"
        )
        columns = ", ".join(f"c{i} text" for i in range(len(head.columns)))
        cursor.execute(f"CREATE TEMP TABLE sirene_staging ({columns}) ON COMMIT DROP")
        cursor.execute(
            "CREATE TEMP TABLE sirene_communes (code text PRIMARY KEY, "
            "basin_id bigint NOT NULL) ON COMMIT DROP"
        )
        with cursor.copy("COPY sirene_communes (code, basin_id) FROM STDIN") as copy:
            for code, basin_id in communes.items():
                copy.write_row((code, basin_id))
        cursor.execute(
            "CREATE TEMP TABLE sirene_duplicates (row_id tid PRIMARY KEY) "
            "ON COMMIT DROP"
        )

        started = time.monotonic()
        outcome.rows_read = _copy_file(cursor, path, run, head, progress)
        logger.debug("SIRENE COPY: %.1f s", time.monotonic() - started)
        started = time.monotonic()
        rebuild = _drop_secondary_indexes(cursor, outcome.rows_read)
        # Into an empty table (a first load), a plain INSERT: no join against
        # the current rows and no speculative insertion per row (ON CONFLICT).
        cursor.execute("SELECT NOT EXISTS (SELECT FROM diagnostics_establishment)")
        empty = cursor.fetchone()[0]
        # Duplicated SIRETs are rare: look for them only when the merge trips
        # on one (ON CONFLICT cannot update a row twice in one statement).
        cursor.execute("SAVEPOINT sirene_merge")
        try:
            try:
                _merge(cursor, head, run, outcome, duplicates=False, empty=empty)
            except (
                psycopg.errors.CardinalityViolation,
                psycopg.errors.UniqueViolation,
            ):
                cursor.execute("ROLLBACK TO SAVEPOINT sirene_merge")
                _find_duplicates(cursor, head)
                _merge(cursor, head, run, outcome, duplicates=True, empty=empty)
        except psycopg.errors.DataError as error:
            raise ImportFileError(
                f"Le fichier {run.file_name or path.name} contient une date de "
                "création ou une année d'effectif invalide "
                f"({error.diag.message_primary}) ; rien n'a été importé."
            ) from None
        cursor.execute("RELEASE SAVEPOINT sirene_merge")
        if rebuild:
            _create_secondary_indexes()
        logger.debug("SIRENE merge: %.1f s", time.monotonic() - started)
        if outcome.rejected:
            _write_rejects_postgresql(cursor, head, run)
        cursor.execute(f"DROP TABLE {', '.join(f'pg_temp.{t}' for t in TEMP_TABLES)}")
    outcome.unchanged = (
        outcome.rows_read - outcome.rejected - outcome.inserted - outcome.updated
    )
    return outcome


TEMP_TABLES = ("sirene_staging", "sirene_communes", "sirene_duplicates")
COPY_ERROR_LINE = re.compile(r"line (\d+)")


def _drop_secondary_indexes(cursor, rows: int) -> bool:
    """Drop the secondary indexes before a load that at least doubles the table.

    Building an index once from sorted data is several times cheaper than a
    million one-by-one insertions. Only worth it (and only done) for a first
    or near-first load: DROP INDEX locks the table until the import commits,
    so diagnostics wait for it; nothing reads a near-empty table anyway. The
    drop is transactional: a failed import gets its indexes back.
    """
    if rows < 10000:
        return False
    # Count at most half the file's rows: enough to know the answer.
    cursor.execute(
        "SELECT count(*) FROM (SELECT FROM diagnostics_establishment LIMIT %s) t",
        [rows // 2],
    )
    if cursor.fetchone()[0] >= rows // 2:
        return False
    with connection.schema_editor(atomic=False) as editor:
        for index in Establishment._meta.indexes:
            editor.remove_index(Establishment, index)
    return True


def _create_secondary_indexes() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    with connection.schema_editor(atomic=False) as editor:
        for index in Establishment._meta.indexes:
            editor.add_index(Establishment, index)


def _copy_file(cursor, path, run, head, progress) -> int:
    names = ", ".join(f"c{i}" for i in range(len(head.columns)))
    digest = hashlib.sha256()
    lines = 0
    name = run.file_name or path.name
    try:
        with (
            path.open("rb") as file,
            cursor.copy(
                f"COPY sirene_staging ({names}) FROM STDIN "
                f"(FORMAT csv, FORCE_NOT_NULL ({names}))"
            ) as copy,
        ):
            digest.update(file.read(head.header_size))
            chunk = file.read(CHUNK_SIZE)
            while chunk:
                following = file.read(CHUNK_SIZE)
                digest.update(chunk)
                if not following:
                    # Blank lines at the end of a hand-edited file are not rows.
                    chunk = chunk.rstrip(b"\r\n")
                    chunk = chunk + b"\n" if chunk else b""
                if b"\x00" in chunk:
                    line = lines + chunk[: chunk.index(0)].count(10) + 2
                    raise ImportFileError(
                        f"Le fichier {name} contient des octets nuls vers la "
                        f"ligne {line} : c'est un fichier binaire ; rien n'a été "
                        "importé."
                    )
                lines += chunk.count(b"\n")
                copy.write(chunk)
                progress.update(rows_read=lines)
                chunk = following
    except psycopg.errors.DataError as error:
        raise ImportFileError(_copy_error_message(error, name)) from None
    run.checksum = run.checksum or digest.hexdigest()
    rows = cursor.rowcount
    if rows is None or rows < 0:
        cursor.execute("SELECT count(*) FROM sirene_staging")
        rows = cursor.fetchone()[0]
    progress.update(rows_read=rows, force=True)
    return rows


def _copy_error_message(error, name: str) -> str:
    context = error.diag.context or ""
    match = COPY_ERROR_LINE.search(context)
    # COPY counts the lines it was sent; the header line was not.
    where = f" à la ligne {int(match.group(1)) + 1}" if match else ""
    primary = error.diag.message_primary or ""
    if "encoding" in primary or "byte sequence" in primary:
        problem = (
            "n'est pas encodé en UTF-8 (octet invalide) : réenregistrez-le en "
            "« CSV UTF-8 »"
        )
    elif "extra data" in primary or "missing data" in primary:
        problem = "a un nombre de colonnes différent de l'en-tête"
    elif "quoted" in primary:
        problem = "contient un guillemet non refermé"
    else:
        problem = f"est mal formé ({primary})"
    return f"Le fichier {name} {problem}{where} ; rien n'a été importé."


def _find_duplicates(cursor, head: CsvHead) -> None:
    """Set aside every row of a SIRET but its first one."""
    siret = _column(head, SIRET)
    cursor.execute(
        f"INSERT INTO sirene_duplicates (row_id) SELECT row_id FROM (SELECT "  # noqa: S608
        f's.ctid AS row_id, row_number() OVER (PARTITION BY {siret} COLLATE "C" '
        f"ORDER BY s.ctid) AS rank FROM sirene_staging AS s) AS ranked "
        f"WHERE rank > 1"
    )


def _short(column: str, size: int) -> str:
    """SQL: the value if at most ``size`` bytes and not [ND], else ''."""
    return (
        f"CASE WHEN octet_length({column}) <= {size} AND {column} <> '{ND}' "
        f"THEN {column} ELSE '' END"
    )


def _given(column: str) -> str:
    return f"{column} NOT IN ('', '{ND}')"


def _name_sql(usual: str, sign: str) -> str:
    def cut(column):
        return (
            f"CASE WHEN octet_length({column}) <= 255 THEN {column} "
            f"ELSE left({column}, 255) END"
        )

    return (
        f"CASE WHEN {_given(usual)} THEN {cut(usual)} "
        f"WHEN {_given(sign)} THEN {cut(sign)} ELSE '' END"
    )


def _reject_sql(col: dict[str, str], *, duplicates: bool) -> str:
    # Lengths only, not a digit-by-digit check: INSEE identifiers are always
    # digits, and string functions cost seconds per million rows. A bad
    # identifier ([ND], empty, truncated) has the wrong length.
    duplicate = (
        "WHEN s.ctid IN (SELECT row_id FROM sirene_duplicates) THEN 'siret_en_double'"
        if duplicates
        else ""
    )
    return f"""CASE
        WHEN octet_length({col[SIRET]}) <> 14 THEN 'siret_invalide'
        WHEN octet_length({col[SIREN]}) <> 9 OR {col[SIREN]} <> left({col[SIRET]}, 9)
            THEN 'siren_invalide'
        {duplicate}
    END"""


def _hash_sql(col: dict[str, str]) -> str:
    """SQL: a 64-bit hash of the raw fields a row's stored values come from.

    Fields are joined with the unit separator (never in SIRENE values), so a
    value moving from one field to the next changes the hash.
    """
    fields = ", ".join(col[name] for name in HASHED_COLUMNS)
    return f"hashtextextended(concat_ws(E'\\x1f', {fields}), 0)"


def _warnings_sql(col: dict[str, str]) -> str:
    bands = ", ".join(f"'{band}'" for band in BANDS)
    return f"""
            CASE
                WHEN {col[COMMUNE]} = '{ND}' THEN 'commune_non_diffusible'
                WHEN {col[COMMUNE]} = '' AND coalesce({col[COUNTRY]}, '') NOT IN
                    ('', '{ND}') THEN 'commune_etrangere'
                WHEN {col[COMMUNE]} = '' THEN 'commune_absente'
                WHEN m.basin_id IS NULL THEN 'commune_inconnue'
            END AS commune_warning,
            CASE
                WHEN {col[NAF]} = '{ND}' THEN 'activite_non_diffusible'
                WHEN {col[NOMENCLATURE]} NOT IN ('{NAF_REV2}', '', '{ND}')
                    THEN 'autre_nomenclature'
                WHEN d.code IS NULL THEN 'activite_inconnue'
            END AS activity_warning,
            CASE
                WHEN {col[BAND]} = '{ND}' THEN 'effectif_non_diffusible'
                WHEN {col[BAND]} NOT IN ('', {bands}) THEN 'effectif_inconnu'
            END AS band_warning"""


def _from_sql(col: dict[str, str]) -> str:
    return f"""
        FROM sirene_staging AS s
        LEFT JOIN diagnostics_nafdivision AS d
            ON d.code = left({col[NAF]}, 2)
            AND {col[NOMENCLATURE]} = '{NAF_REV2}'
            AND octet_length({col[NAF]}) = 6
            AND substr({col[NAF]}, 3, 1) = '.'
        LEFT JOIN sirene_communes AS m ON m.code = {col[COMMUNE]}"""


def _transform_sql(head: CsvHead, *, duplicates: bool, where: str = "") -> str:
    """SELECT of the staged rows, transformed, with reasons."""
    col = _columns(head)
    bands = ", ".join(f"'{band}'" for band in BANDS)
    # Built from constants and c<position> column names only: no user input.
    return f"""
        SELECT
            {_reject_sql(col, duplicates=duplicates)} AS reject,
            {col[SIRET]} AS siret,
            {col[SIREN]} AS siren,
            CASE WHEN {_given(col[CREATED])} THEN {col[CREATED]}::date END
                AS created_on,
            CASE WHEN {col[BAND]} IN ({bands}) THEN {col[BAND]} ELSE '' END
                AS headcount_band,
            CASE WHEN {_given(col[BAND_YEAR])} THEN {col[BAND_YEAR]}::smallint END
                AS headcount_year,
            {_short(col[NAF], 6)} AS naf_code,
            {_short(col[NOMENCLATURE], 8)} AS naf_nomenclature,
            {_short(col[NAF25], 7)} AS naf25_code,
            coalesce(d.code, '') AS naf_division,
            coalesce(d.section_id, '') AS naf_section,
            CASE WHEN octet_length({col[COMMUNE]}) = 5
                THEN {col[COMMUNE]} ELSE '' END AS commune_code,
            m.basin_id,
            {col[STATE]} = 'A' AS is_active,
            {_name_sql(col[USUAL_NAME], col[SIGN])} AS name,
            {_hash_sql(col)} AS source_hash,
            {_warnings_sql(col)}
        {_from_sql(col)}
        {where}
    """  # noqa: S608


def _merge(
    cursor,
    head: CsvHead,
    run: ImportRun,
    outcome: base.Outcome,
    *,
    duplicates: bool,
    empty: bool = False,
) -> None:
    names = ", ".join(("siret", *DATA_FIELDS, "source_hash"))
    current = ", ".join(f"cur.{f}" for f in DATA_FIELDS)
    new = ", ".join(f"src.{f}" for f in DATA_FIELDS)
    target = ", ".join(f"e.{f}" for f in DATA_FIELDS)
    excluded = ", ".join(f"EXCLUDED.{f}" for f in DATA_FIELDS)
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in (*DATA_FIELDS, "source_hash"))
    counts = """
        SELECT reject, commune_warning, activity_warning, band_warning,
            CASE WHEN activity_warning = 'autre_nomenclature'
                THEN naf_nomenclature END,
            count(*)
        FROM {} GROUP BY 1, 2, 3, 4, 5"""
    if empty:
        # Into an empty table (a first load): a plain INSERT, no join against
        # the current rows, no speculative insertion per row. A duplicated
        # SIRET raises a unique violation instead.
        query = f"""
        WITH src AS MATERIALIZED ({_transform_sql(head, duplicates=duplicates)}),
        ins AS (
            INSERT INTO diagnostics_establishment AS e ({names}, import_run_id)
            SELECT src.siret, {new}, src.source_hash, %(run)s FROM src
            WHERE src.reject IS NULL
            -- In key order, the index insertions walk each B-tree once; "C"
            -- (byte order) is the same order for digits, and much cheaper.
            ORDER BY src.siret COLLATE "C"
            RETURNING 1
        )
        {counts.format("src")}
        UNION ALL
        SELECT 'ins', NULL, NULL, NULL, 'new', count(*) FROM ins
        """  # noqa: S608
    else:
        col = _columns(head)
        # 1. Every row: reject reason, remarks, hash of its raw fields, and
        # the two values that depend on other tables (basin, NAF division),
        # none of the costly casts and clean-ups.
        # 2. Only the rows that are new, whose raw fields changed, or whose
        # basin or division changed (a zones import since): full transform,
        # compared with the current values, then written. Unchanged rows
        # are neither transformed nor rewritten nor locked.
        query = f"""
        WITH checked AS MATERIALIZED (
            SELECT s.ctid AS row_id,
                {_reject_sql(col, duplicates=duplicates)} AS reject,
                {col[SIRET]} AS siret,
                {_short(col[NOMENCLATURE], 8)} AS naf_nomenclature,
                {_hash_sql(col)} AS source_hash,
                m.basin_id,
                coalesce(d.code, '') AS naf_division,
                {_warnings_sql(col)}
            {_from_sql(col)}
        ),
        candidates AS (
            SELECT c.row_id FROM checked AS c
            LEFT JOIN diagnostics_establishment AS cur ON cur.siret = c.siret
            WHERE c.reject IS NULL AND (cur.siret IS NULL
                OR cur.source_hash IS DISTINCT FROM c.source_hash
                OR cur.basin_id IS DISTINCT FROM c.basin_id
                OR cur.naf_division <> c.naf_division)
        ),
        src AS MATERIALIZED ({
            _transform_sql(
                head,
                duplicates=duplicates,
                where="WHERE s.ctid IN (SELECT row_id FROM candidates)",
            )
        }),
        diff AS MATERIALIZED (
            SELECT src.*, CASE
                WHEN cur.siret IS NULL THEN 'new'
                WHEN ({current}) IS DISTINCT FROM ({new}) THEN 'changed'
                -- Same values, another hash (e.g. [ND] became blank): only
                -- the hash is refreshed, and the row counts as unchanged.
                ELSE 'rehash'
            END AS change
            FROM src
            LEFT JOIN diagnostics_establishment AS cur ON cur.siret = src.siret
            WHERE src.reject IS NULL
        ),
        ins AS (
            INSERT INTO diagnostics_establishment AS e ({names}, import_run_id)
            SELECT src.siret, {new}, src.source_hash, %(run)s FROM diff AS src
            ORDER BY src.siret COLLATE "C"
            ON CONFLICT (siret) DO UPDATE SET {updates},
                import_run_id = CASE WHEN ({target}) IS DISTINCT FROM ({excluded})
                    THEN EXCLUDED.import_run_id ELSE e.import_run_id END
            RETURNING 1
        )
        {counts.format("checked")}
        UNION ALL
        SELECT 'ins', NULL, NULL, NULL, change, count(*) FROM diff GROUP BY change
        UNION ALL
        SELECT 'written', NULL, NULL, NULL, NULL, count(*) FROM ins
        """  # noqa: S608
    cursor.execute(query, {"run": run.pk})
    nomenclatures = Counter()
    for reject, commune, activity, band, extra, count in cursor.fetchall():
        if reject == "written":
            continue
        if reject == "ins":
            if extra == "new":
                outcome.inserted += count
            elif extra == "changed":
                outcome.updated += count
            continue
        if reject:
            outcome.rejects[reject] += count
            outcome.rejected += count
            continue
        for warning in (commune, activity, band):
            if warning:
                outcome.warnings[warning] += count
        if extra:
            nomenclatures[extra] += count
    if nomenclatures:
        outcome.details["nomenclatures"] = dict(nomenclatures)


def _write_rejects_postgresql(cursor, head: CsvHead, run: ImportRun) -> None:
    """Stream the rejected rows, with their line and reason, to a CSV file."""
    col = _columns(head)
    values = ", ".join(
        f"CASE WHEN {col[c]} ~ '^[=+\\-@\\t\\r]' THEN '''' || {col[c]} "
        f"ELSE {col[c]} END AS v{i}"
        for i, c in enumerate(REJECT_COLUMNS)
    )
    outer = ", ".join(f"v{i}" for i in range(len(REJECT_COLUMNS)))
    path, name = base.rejects_path(run)
    header = ",".join(["ligne", "motif", *REJECT_COLUMNS]) + "\n"
    # Line numbers only in this rare case: a fresh heap is in file order.
    query = (
        f"COPY (SELECT line, reject, {outer} FROM (SELECT "  # noqa: S608
        f"row_number() OVER (ORDER BY s.ctid) + 1 AS line, "
        f"{_reject_sql(col, duplicates=True)} AS reject, {values} "
        f"FROM sirene_staging AS s) AS numbered WHERE reject IS NOT NULL "
        f"ORDER BY line) TO STDOUT (FORMAT csv)"
    )
    with path.open("wb") as file, cursor.copy(query) as copy:
        file.write(header.encode())
        for data in copy:
            file.write(data)
    run.rejects_file.name = name


# --- SQLite (and any other database) ---------------------------------------


def _import_python(
    path: Path, run: ImportRun, progress: base.ProgressReporter
) -> base.Outcome:
    outcome = base.Outcome()
    communes = commune_to_basin_map()
    divisions = dict(NafDivision.objects.values_list("code", "section_id"))
    seen: set[str] = set()
    nomenclatures: Counter = Counter()
    rejects = None
    try:
        with CsvStream(path, required=REQUIRED_COLUMNS, name=run.file_name) as stream:
            index = {
                name: stream.index(name)
                for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
            }
            reject_index = [index[c] for c in REJECT_COLUMNS]
            rows = iter(stream)
            while batch := list(itertools.islice(rows, BATCH_SIZE)):
                records = {}
                for line, values in batch:
                    outcome.rows_read += 1
                    try:
                        record, reason, warnings = transform(
                            values, index, communes, divisions
                        )
                    except InvalidValue as error:
                        raise ImportFileError(
                            f"Ligne {line} du fichier {stream.name} : {error} "
                            "invalide ; rien n'a été importé."
                        ) from None
                    if record is not None and record["siret"] in seen:
                        reason = "siret_en_double"
                    if reason:
                        if rejects is None:
                            rejects = base.RejectsWriter(run, list(REJECT_COLUMNS))
                        rejects.add(line, reason, [values[i] for i in reject_index])
                        outcome.rejects[reason] += 1
                        outcome.rejected += 1
                        continue
                    seen.add(record["siret"])
                    records[record["siret"]] = record
                    outcome.warnings.update(warnings)
                    if "autre_nomenclature" in warnings:
                        nomenclatures[record["naf_nomenclature"]] += 1
                _upsert(records, run, outcome)
                progress.update(rows_read=outcome.rows_read, rejected=outcome.rejected)
    finally:
        if rejects is not None:
            rejects.close()
            run.rejects_file.name = rejects.name
    if nomenclatures:
        outcome.details["nomenclatures"] = dict(nomenclatures)
    outcome.unchanged = (
        outcome.rows_read - outcome.rejected - outcome.inserted - outcome.updated
    )
    return outcome


def _upsert(records: dict, run: ImportRun, outcome: base.Outcome) -> None:
    existing = {
        values[0]: values[1:]
        for values in Establishment.objects.filter(siret__in=list(records))
        .values_list("siret", *DATA_FIELDS)
        .iterator()
    }
    to_create, to_update = [], []
    for siret, record in records.items():
        current = existing.get(siret)
        new = tuple(record[f] for f in DATA_FIELDS)
        if current is None:
            to_create.append(Establishment(import_run=run, **record))
        elif current != new:
            to_update.append(Establishment(import_run=run, **record))
    Establishment.objects.bulk_create(to_create, batch_size=1000)
    Establishment.objects.bulk_update(
        to_update, [*DATA_FIELDS, "import_run"], batch_size=1000
    )
    outcome.inserted += len(to_create)
    outcome.updated += len(to_update)


def _clean(value: str | None) -> str:
    return "" if value is None or value == ND else value


def _size(value: str) -> int:
    return len(value.encode())


class InvalidValue(ValueError):
    """A date or a year that is not one: the whole file is refused."""


def transform(
    values: list[str],
    index: dict[str, int | None],
    communes: dict[str, int],
    divisions: dict[str, str],
) -> tuple[dict | None, str | None, list[str]]:
    """One CSV row -> (record, reject reason, warnings); mirrors the SQL."""

    def get(name):
        position = index[name]
        return "" if position is None else values[position]

    siret, siren = get(SIRET), get(SIREN)
    if _size(siret) != 14:
        return None, "siret_invalide", []
    if _size(siren) != 9 or siret[:9] != siren:
        return None, "siren_invalide", []

    warnings = []
    raw_commune = get(COMMUNE)
    commune = raw_commune if _size(raw_commune) == 5 else ""
    basin_id = communes.get(raw_commune)
    if raw_commune == ND:
        warnings.append("commune_non_diffusible")
    elif raw_commune == "":
        country = get(COUNTRY)
        warnings.append(
            "commune_etrangere" if country not in ("", ND) else "commune_absente"
        )
    elif basin_id is None:
        warnings.append("commune_inconnue")

    naf, nomenclature = get(NAF), get(NOMENCLATURE)
    division = section = ""
    if nomenclature == NAF_REV2 and _size(naf) == 6 and naf[2] == ".":
        section = divisions.get(naf[:2], "")
        division = naf[:2] if section else ""
    if naf == ND:
        warnings.append("activite_non_diffusible")
    elif nomenclature not in (NAF_REV2, "", ND):
        warnings.append("autre_nomenclature")
    elif not division:
        warnings.append("activite_inconnue")

    band = get(BAND)
    if band == ND:
        warnings.append("effectif_non_diffusible")
    elif band not in BANDS and band != "":
        warnings.append("effectif_inconnu")

    created, year = _clean(get(CREATED)), _clean(get(BAND_YEAR))
    try:
        created_on = date.fromisoformat(created) if created else None
    except ValueError:
        raise InvalidValue(f"date de création « {created} »") from None
    try:
        headcount_year = int(year) if year else None
    except ValueError:
        raise InvalidValue(f"année d'effectif « {year} »") from None
    naf, nomenclature, naf25 = _clean(naf), _clean(nomenclature), _clean(get(NAF25))
    record = {
        "siret": siret,
        "siren": siren,
        "created_on": created_on,
        "headcount_band": band if band in BANDS else "",
        "headcount_year": headcount_year,
        "naf_code": naf if _size(naf) <= 6 else "",
        "naf_nomenclature": nomenclature if _size(nomenclature) <= 8 else "",
        "naf25_code": naf25 if _size(naf25) <= 7 else "",
        "naf_division": division,
        "naf_section": section,
        "commune_code": commune,
        "basin_id": basin_id,
        "is_active": get(STATE) == "A",
        "name": (_clean(get(USUAL_NAME)) or _clean(get(SIGN)))[:255],
    }
    return record, None, warnings


__all__ = ["check_file", "import_sirene", "transform"]
