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
PostgreSQL (``diagnostics.importers.pgload`` and ``streaming``, in one
transaction, under an advisory lock so that two imports never overlap):

1. Re-import only (the table has rows): every record's line number, SIRET
   and a 64-bit hash of its raw bytes go to a scratch table (Python reads
   the file in 1 MiB chunks; COPY of four narrow columns: the hash is sent
   as its two 32-bit halves, which PostgreSQL joins). The hash is
   seeded by a fingerprint of the commune -> basin and NAF tables and of
   the transform's version, so a zones import changes every hash. One hash
   join against the current rows finds the unchanged records (same hash):
   counted with their stored remarks, never sent again. Duplicated SIRETs
   (every line but the first) are found here too, unchanged or not.
2. The other records (all of them into an empty table), whole, each after
   its line number and hash, are copied into UNLOGGED scratch tables, one
   per core, by as many connections at once (PostgreSQL parses the CSV
   and checks UTF-8; the columns the import does not read are kept as
   one byte each). The transform (commune -> basin, NAF division and
   section, clean-ups, remarks) is SQL. Into an empty table, one
   ``CREATE TABLE ... AS`` builds a new establishment table from them
   (parallel workers transform, the leader writes), its indexes are built
   at the same time by as many connections, and the transaction swaps it
   in for the empty table (renames: readers see the empty table until the
   commit). Otherwise one statement transforms the new or changed records
   and writes them with ``INSERT ... ON CONFLICT (siret) DO UPDATE``.

Why not Python for the transform: measured here, splitting a 54-column
record and transforming it costs about 6 µs per record in CPython, twice
what PostgreSQL spends parsing and transforming it; Python only reads,
hashes and forwards bytes. SQLite: Python csv, chunks of 5,000 rows,
manual upsert. Both run in one transaction: a failure anywhere, even on
the last line, leaves the table as it was.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

import psycopg
from django.db import connection

from basins.services import commune_to_basin_map
from diagnostics.importers import base, pgload, streaming
from diagnostics.importers.validation import (
    CsvHead,
    CsvStream,
    ImportFileError,
    inspect_csv,
)
from diagnostics.models import (
    Establishment,
    HeadcountBand,
    ImportRun,
    NafDivision,
)

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
READ_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)

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

# One bit per remark, stored in Establishment.remarks.
REMARK_BITS = {code: 1 << position for position, code in enumerate(WARNING_LABELS)}

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
        name = run.file_name or path.name
        head = check_file(path, name=name)
        total = head.estimate_rows(path.stat().st_size)
        progress.update(rows_read=0, total=total, force=True)
        if connection.vendor == "postgresql":
            outcome = _import_postgresql(path, run, head, progress, scratch)
        else:
            outcome = _import_python(path, run, progress)
        outcome.details["labels"] = {**REJECT_LABELS, **WARNING_LABELS}
        return outcome

    with ExitStack() as scratch:
        return base.execute(run, path=file_path, dry_run=dry_run, work=work)


# --- PostgreSQL --------------------------------------------------------------


def _column(head: CsvHead, name: str) -> str:
    index = head.index(name)
    return "NULL::text" if index is None else f"s.c{index}"


def _used_columns(head: CsvHead) -> set[int]:
    """Positions of the columns the import reads; the others are parsed by
    COPY (it checks every record) but kept as one byte each ("char": its
    input reads the first byte, whatever the text)."""
    return {head.index(name) for name in READ_COLUMNS} - {None}


def _columns(head: CsvHead) -> dict[str, str]:
    return {name: _column(head, name) for name in READ_COLUMNS}


def _import_postgresql(
    path: Path,
    run: ImportRun,
    head: CsvHead,
    progress: base.ProgressReporter,
    scratch: ExitStack,
) -> base.Outcome:
    outcome = base.Outcome()
    name = run.file_name or path.name
    communes = commune_to_basin_map()
    # Every record's hash is seeded by the mapping fingerprint.
    key = bytes.fromhex(_mapping_fingerprint(communes))
    checksum = None
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        pgload.lock_imports(cursor, name)
        # A full stock takes minutes: lift the web-request statement timeout,
        # and give the hash joins of million-row tables room in memory.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for setting in PLANNER_SETTINGS:
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute("SET LOCAL synchronous_commit = off")
        # ON COMMIT DROP is not enough when the import runs inside an outer
        # transaction (tests, or several imports in a row).
        for view in VIEWS:
            cursor.execute(f"DROP VIEW IF EXISTS pg_temp.{view}")
        cursor.execute(
            f"DROP TABLE IF EXISTS {', '.join(f'pg_temp.{t}' for t in TEMP_TABLES)}"
        )
        cursor.execute(
            "CREATE TEMP TABLE sirene_duplicates (line bigint PRIMARY KEY) "
            "ON COMMIT DROP"
        )
        cursor.execute("SELECT NOT EXISTS (SELECT FROM diagnostics_establishment)")
        empty = cursor.fetchone()[0]
        wanted = None
        if not empty:
            # 1. Every record: its line, SIRET and hash only. Those whose
            # hash is the current row's are unchanged: counted, not sent.
            keys = scratch.enter_context(
                pgload.ParallelCopy(
                    path,
                    start=head.header_size,
                    header_lines=1,
                    columns="line bigint, siret text, crc bigint, adler bigint",
                    format="keys",
                    format_args={
                        "key": key,
                        "index": head.index(SIRET),
                        "columns": len(head.columns),
                    },
                    name=name,
                    # Python computes each hash: one stream (one GIL) is as
                    # fast, and leaves the other core to PostgreSQL.
                    streams=1,
                )
            )
            with pgload.timed("SIRENE keys"):
                outcome.rows_read = keys.run(progress)
            keys.create_view(cursor, "sirene_keys")
            # Hashed on the core PostgreSQL leaves idle while it compares.
            checksum = checksum or _Checksum(path, run)
            with pgload.timed("SIRENE compare"):
                wanted = _compare(cursor, outcome, keys)
        # 2. The records to write (all of them into an empty table), whole,
        # each after its line number and hash.
        copied = 0
        if wanted is None or any(wanted):
            used = _used_columns(head)
            texts = [f"c{i}" for i in sorted(used)]
            ready = scratch.enter_context(
                pgload.ParallelCopy(
                    path,
                    start=head.header_size,
                    header_lines=1,
                    columns="line bigint, crc bigint, adler bigint, "
                    + ", ".join(
                        f"c{i} text" if i in used else f'c{i} "char"'
                        for i in range(len(head.columns))
                    ),
                    format="rows",
                    format_args={"key": key, "wanted": wanted},
                    name=name,
                    # An empty field is an empty string, not NULL.
                    options=f"FORMAT csv, FORCE_NOT_NULL ({', '.join(texts)})",
                )
            )
            # The commune map, for side connections and (through a temp
            # view of the same name) for this transaction.
            shared_communes = _share_communes(ready, communes)
            cursor.execute(
                "CREATE TEMP VIEW sirene_communes AS "  # noqa: S608
                f"SELECT code, basin_id FROM {shared_communes}"
            )
            with pgload.timed("SIRENE rows"):
                copied = ready.run(progress if empty else None)
        if empty:
            outcome.rows_read = copied
        if copied:
            ready.create_view(cursor, "sirene_staging")
            # Hashed on the core PostgreSQL leaves idle while it merges.
            checksum = checksum or _Checksum(path, run)
            with pgload.timed("SIRENE merge"):
                if empty:
                    _write_first_load(
                        cursor, head, run, outcome, ready, shared_communes
                    )
                else:
                    _write(cursor, head, run, outcome, sent=copied)
            if outcome.rejected:
                _write_rejects_postgresql(cursor, head, run)
        for view in VIEWS:
            cursor.execute(f"DROP VIEW IF EXISTS pg_temp.{view}")
        cursor.execute(f"DROP TABLE {', '.join(f'pg_temp.{t}' for t in TEMP_TABLES)}")
    if not run.checksum:
        run.checksum = (checksum or _Checksum(path, run)).result()
    outcome.unchanged = (
        outcome.rows_read - outcome.rejected - outcome.inserted - outcome.updated
    )
    return outcome


TEMP_TABLES = ("sirene_duplicates",)
VIEWS = ("sirene_keys", "sirene_staging", "sirene_communes")
# The scratch tables have no statistics: nested loops over a million rows
# are never the right plan here, and a merge join would sort a million
# SIRETs where hashing them is cheaper. Hash joins get room in memory.
PLANNER_SETTINGS = (
    "work_mem = '256MB'",
    "enable_nestloop = off",
    "enable_mergejoin = off",
)


def _share_communes(load: pgload.ParallelCopy, communes: dict[str, int]) -> str:
    """The commune -> basin map, where the segments' connections see it."""
    table = load.aux_table("communes")
    with pgload.side_connection() as side:
        side.execute(
            f"CREATE UNLOGGED TABLE {table} (code text PRIMARY KEY, "
            "basin_id bigint NOT NULL)"
        )
        with side.cursor().copy(f"COPY {table} (code, basin_id) FROM STDIN") as copy:
            for code, basin_id in communes.items():
                copy.write_row((code, basin_id))
    return table


def _rejects_sql(head: CsvHead, *, staging: str, duplicates: bool) -> str:
    """Counts of the staged rows rejected, by reason."""
    reject = _reject_sql(_columns(head), duplicates=duplicates)
    return (
        f"SELECT 'reject', reject, NULL::text, count(*) FROM (SELECT {reject} "  # noqa: S608
        f"AS reject FROM {staging} AS s) AS r WHERE reject IS NOT NULL GROUP BY 2"
    )


TABLE = "diagnostics_establishment"


@dataclass
class _Schema:
    """The establishment table as the database has it, for a copy of it.

    Read from the catalog, not from the model: migrations set collations
    by hand, and the copy must be the same table to every later migration.
    """

    # (name, type, collation or None, not null, default or None), in the
    # table's order.
    columns: list[tuple[str, str, str | None, bool, str | None]]
    checks: list[tuple[str, str]]  # (name, definition)
    # (name, definition, primary key) of every index.
    index_defs: list[tuple[str, str, bool]]

    @classmethod
    def read(cls, cursor) -> _Schema:
        cursor.execute(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod),
                CASE WHEN a.attcollation <> 0 THEN
                    quote_ident(n.nspname) || '.' || quote_ident(c.collname) END,
                a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                a.attidentity <> '' OR a.attgenerated <> ''
            FROM pg_attribute AS a
            LEFT JOIN pg_collation AS c ON c.oid = a.attcollation
            LEFT JOIN pg_namespace AS n ON n.oid = c.collnamespace
            LEFT JOIN pg_attrdef AS d
                ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = %s::regclass AND a.attnum > 0
                AND NOT a.attisdropped
            ORDER BY a.attnum
            """,
            [TABLE],
        )
        columns = []
        for *column, computed in cursor.fetchall():
            if computed:
                raise NotImplementedError(f"column {column[0]}: not copied")
            columns.append(tuple(column))
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY conname",
            [TABLE],
        )
        checks = []
        for name, kind, definition in cursor.fetchall():
            if kind == "c":
                checks.append((name, definition))
            elif kind != "p":
                raise NotImplementedError(f"constraint {name}: not copied")
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisprimary "
            "FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
            [TABLE],
        )
        return cls(columns, checks, cursor.fetchall())

    def build_sql(self, table: str, select: str, run: int) -> list[str]:
        """The statements that make ``table`` from ``select``'s rows: this
        table, but for its indexes."""
        return [self.create_sql(table, select, run), self.constraints_sql(table)]

    def create_sql(self, table: str, select: str, run: int) -> str:
        """CREATE TABLE ... AS of ``select``'s rows, with this table's
        columns, in its order; ``import_run_id`` is ``run``."""
        values = []
        for name, kind, collation, _not_null, _default in self.columns:
            value = str(int(run)) if name == "import_run_id" else f"src.{name}"
            value = f"CAST({value} AS {kind})"
            if collation:
                value += f" COLLATE {collation}"
            values.append(f"{value} AS {name}")
        return (
            f"CREATE TABLE {table} AS SELECT {', '.join(values)} "  # noqa: S608
            f"FROM ({select}) AS src WHERE src.reject IS NULL"
        )

    def constraints_sql(self, table: str) -> str:
        """One ALTER TABLE (one scan of the rows): defaults, NOT NULL and
        CHECK."""
        changes = []
        for name, _kind, _collation, not_null, default in self.columns:
            if default is not None:
                changes.append(f"ALTER COLUMN {name} SET DEFAULT {default}")
            if not_null:
                changes.append(f"ALTER COLUMN {name} SET NOT NULL")
        changes += [
            f"ADD CONSTRAINT {name} {definition}" for name, definition in self.checks
        ]
        return f"ALTER TABLE {table} {', '.join(changes)}"

    def indexes(self, table: str) -> list[_Index]:
        """This table's indexes, to build on ``table``, the primary key's
        first."""
        indexes = []
        for position, (name, definition, primary) in enumerate(
            sorted(self.index_defs, key=lambda index: not index[2])
        ):
            # "CREATE [UNIQUE] INDEX name ON schema.table USING ...".
            unique = "UNIQUE " if definition.startswith("CREATE UNIQUE") else ""
            method = definition[definition.index(" USING ") + 1 :]
            temporary = f"{table}_{position}"
            statement = f"CREATE {unique}INDEX {temporary} ON {table} {method}"
            indexes.append(_Index(statement, temporary, name, primary))
        return indexes


class _Index(NamedTuple):
    statement: str  # CREATE INDEX on the new table, under a temporary name
    temporary: str
    name: str  # the index's name on the table replaced
    primary: bool


def _swap_in(cursor, table: str, indexes: list[_Index]) -> None:
    """Replace the (empty) establishment table with ``table``, indexed.

    The renames are transactional: until the import commits, readers see
    the empty table, and a failure keeps it.
    """
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT EXISTS (SELECT FROM {TABLE})")  # noqa: S608
    if cursor.fetchone()[0]:
        raise RuntimeError("the establishment table is no longer empty")
    cursor.execute(f"DROP TABLE {TABLE}")
    for index in indexes:
        if index.primary:
            # Renames the index to the constraint's name.
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {index.name} PRIMARY KEY "
                f"USING INDEX {index.temporary}"
            )
        else:
            cursor.execute(f"ALTER INDEX {index.temporary} RENAME TO {index.name}")
    cursor.execute(f"ALTER TABLE {table} RENAME TO {TABLE}")


# Bumped when the transform changes: stored values then need recomputing.
TRANSFORM_VERSION = 2


class _Checksum:
    """The file's SHA-256 (unless the upload computed it), by a thread,
    meanwhile: hashlib frees the GIL."""

    def __init__(self, path: Path, run: ImportRun):
        self._value = run.checksum
        self._thread = None
        if not self._value:
            self._thread = threading.Thread(target=self._run, args=(path,))
            self._thread.daemon = True
            self._thread.start()

    def _run(self, path: Path) -> None:
        self._value = base.sha256_of(path)

    def result(self) -> str:
        if self._thread is not None:
            self._thread.join()
        return self._value


def _invalid_value(name: str, error) -> ImportFileError:
    return ImportFileError(
        f"Le fichier {name} contient une date de création ou une année "
        f"d'effectif invalide ({error.diag.message_primary}) ; rien n'a été "
        "importé."
    )


DUPLICATES_SQL = """
    SELECT line FROM (
        SELECT line, row_number() OVER (
            PARTITION BY siret COLLATE "C" ORDER BY line) AS rank
        FROM {keys}
        -- Grouping 64-bit hashes is cheaper than grouping text.
        WHERE hashtextextended(siret, 0) IN (
            SELECT hashtextextended(siret, 0) FROM {keys}
            GROUP BY 1 HAVING count(*) > 1)
    ) AS ranked
    WHERE rank > 1
"""


def _second_occurrences(keys: str) -> list[int]:
    """Lines repeating a SIRET seen higher up, from a side connection."""
    with pgload.side_connection() as side:
        for setting in PLANNER_SETTINGS:
            side.execute(f"SET {setting}")
        rows = side.execute(DUPLICATES_SQL.format(keys=keys)).fetchall()
    return [line for (line,) in rows]


def _compare(cursor, outcome: base.Outcome, keys: pgload.ParallelCopy) -> bytes:
    """Count the unchanged records; return the bitmap of the other lines.

    A record is unchanged when its SIRET's current row has its hash, and it
    is not a second occurrence of a SIRET. Its remarks are the stored ones.
    Every other line (new, changed, duplicated, rejected) is wanted.

    The second occurrences are looked for at the same time, by another
    connection on the other core (the keys table is committed); there are
    seldom any, and then the comparison runs again without them.
    """
    [segment] = keys.segments
    found: dict = {}

    def look() -> None:
        try:
            found["lines"] = _second_occurrences(segment.table)
        except Exception as error:  # raised below, in this thread
            found["error"] = error

    thread = threading.Thread(target=look, daemon=True)
    thread.start()
    counts = _compare_keys(cursor, exclude=False)
    thread.join()
    if "error" in found:
        raise found["error"]
    if found["lines"]:
        with cursor.copy("COPY sirene_duplicates (line) FROM STDIN") as copy:
            for line in found["lines"]:
                copy.write_row((line,))
        counts = _compare_keys(cursor, exclude=True)
    lines, warnings, nomenclatures = counts
    outcome.warnings.update(warnings)
    if nomenclatures:
        outcome.details["nomenclatures"] = dict(nomenclatures)
    return lines


def _compare_keys(cursor, *, exclude: bool):
    """(bitmap of wanted lines, remarks and nomenclatures of the others)."""
    other = REMARK_BITS["autre_nomenclature"]
    duplicate = (
        "AND k.line NOT IN (SELECT line FROM sirene_duplicates)" if exclude else ""
    )
    hashed = streaming.hash_sql("k")
    # One pass: the unchanged records grouped by their remarks (line NULL),
    # every other record alone with its line.
    query = f"""
        SELECT CASE WHEN same THEN NULL ELSE line END,
            CASE WHEN same THEN remarks END,
            CASE WHEN same AND remarks & {other} <> 0 THEN naf_nomenclature END,
            count(*)
        FROM (
            SELECT k.line, cur.remarks, cur.naf_nomenclature,
                coalesce(cur.source_hash = {hashed}, false) {duplicate} AS same
            FROM sirene_keys AS k
            LEFT JOIN diagnostics_establishment AS cur ON cur.siret = k.siret
        ) AS compared
        GROUP BY 1, 2, 3
    """  # noqa: S608
    wanted = bytearray()
    warnings = Counter()
    nomenclatures = Counter()
    with cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
        for line, remarks, nomenclature, count in copy.rows():
            if line is not None:
                line = int(line)
                byte = line >> 3
                if byte >= len(wanted):
                    wanted.extend(bytes(byte - len(wanted) + 1 + (1 << 16)))
                wanted[byte] |= 1 << (line & 7)
                continue
            count, remarks = int(count), int(remarks)
            for warning, bit in REMARK_BITS.items():
                if remarks & bit:
                    warnings[warning] += count
            if nomenclature:
                nomenclatures[nomenclature] += count
    return bytes(wanted), warnings, nomenclatures


def _write(cursor, head, run, outcome, *, sent) -> None:
    """Merge the staged records (a re-import's) into the table, all or
    nothing."""
    rebuild = _drop_indexes(cursor, sent)
    cursor.execute("SAVEPOINT sirene_merge")
    try:
        _merge(cursor, head, run, outcome, duplicates=True)
    except psycopg.errors.DataError as error:
        raise _invalid_value(run.file_name, error) from None
    cursor.execute("RELEASE SAVEPOINT sirene_merge")
    if rebuild:
        with pgload.timed("SIRENE indexes"):
            _create_secondary_indexes()


def _write_first_load(
    cursor, head, run, outcome, load: pgload.ParallelCopy, communes: str
) -> None:
    """Build the establishment table from the staged records, swap it in.

    Side connections do the work, committed, on a scratch table that
    nothing reads: one ``CREATE TABLE ... AS`` of the transformed records
    (bulk writes: about twice as fast as ``INSERT ... SELECT``), its
    constraints, then its indexes, each built by its own connection at the
    same time. This transaction then swaps the table in for the empty one
    (:func:`_swap_in`): readers see the empty table until it commits, and
    a failure keeps it.

    Duplicated SIRETs are rare: they are looked for only when the primary
    key refuses them; this transaction then builds the table again without
    the second occurrences.
    """
    table = load.aux_table("establishment")
    schema = _Schema.read(cursor)
    select = _transform_sql(
        head, duplicates=False, staging=f"({load.union_sql()})", communes=communes
    )
    try:
        with pgload.side_connection() as side:
            for setting in (*PLANNER_SETTINGS, *PARALLEL_SETTINGS):
                side.execute(f"SET {setting}")
            with pgload.timed("SIRENE table"):
                for statement in schema.build_sql(table, select, run.pk):
                    side.execute(statement)
    except psycopg.errors.DataError as error:
        raise _invalid_value(run.file_name, error) from None
    indexes = schema.indexes(table)
    duplicates = False
    try:
        with pgload.timed("SIRENE indexes"):
            groups = [[index.statement] for index in indexes]
            groups[-1].append(_counts_sql(table))
            results = pgload.run_concurrently(groups, settings=INDEX_SETTINGS)
    except psycopg.errors.UniqueViolation:
        duplicates = True
        _find_duplicates(cursor, head)
        cursor.execute(f"DROP TABLE {table}")
        select = _transform_sql(head, duplicates=True)
        for statement in schema.build_sql(table, select, run.pk):
            cursor.execute(statement)
        for index in indexes:
            cursor.execute(index.statement)
        cursor.execute(_counts_sql(table))
        results = [cursor.fetchall()]
    _count(outcome, [row for rows in results for row in rows])
    if outcome.inserted < outcome.rows_read:
        # Some rows were rejected (seldom): by which reason.
        cursor.execute(
            _rejects_sql(head, staging="sirene_staging", duplicates=duplicates)
        )
        _count(outcome, cursor.fetchall())
    _swap_in(cursor, table, indexes)


# Parallel workers (as many as the server allows a query) read and
# transform the staged rows while the leader writes them: the planner's
# default costs (per row sent to the leader) would keep it all on one core.
PARALLEL_SETTINGS = (
    "parallel_setup_cost = 0",
    "parallel_tuple_cost = 0",
)
# Each index is built by its own connection: no parallel workers on top.
INDEX_SETTINGS = (
    "maintenance_work_mem = '256MB'",
    "max_parallel_maintenance_workers = 0",
)


def _counts_sql(table: str) -> str:
    """The new table's rows by remarks (and old nomenclature)."""
    other = OTHER_NOMENCLATURE.format(alias="e", bit=REMARK_BITS["autre_nomenclature"])
    return (
        f"SELECT 'new', remarks::text, {other}, count(*) "  # noqa: S608
        f"FROM {table} AS e GROUP BY 2, 3"
    )


def _count(outcome: base.Outcome, rows) -> None:
    """Add (kind, code, old nomenclature, count) rows to the outcome."""
    nomenclatures = Counter(outcome.details.get("nomenclatures", {}))
    for kind, code, nomenclature, count in rows:
        if kind == "written":
            continue
        if kind == "reject":
            outcome.rejects[code] += count
            outcome.rejected += count
            continue
        if kind == "new":
            outcome.inserted += count
        elif kind == "changed":
            outcome.updated += count
        for warning, bit in REMARK_BITS.items():
            if int(code) & bit:
                outcome.warnings[warning] += count
        if nomenclature:
            nomenclatures[nomenclature] += count
    if nomenclatures:
        outcome.details["nomenclatures"] = dict(nomenclatures)


def _mapping_fingerprint(communes: dict[str, int]) -> str:
    """What a row's stored values depend on besides its raw fields.

    It keys every row's hash: after a zones import (or a new version of the
    transform), every row's hash changes, so a re-import recomputes every
    row, and rewrites those whose basin, division or remarks changed.
    """
    digest = hashlib.sha256(f"v{TRANSFORM_VERSION}".encode())
    for code, basin_id in sorted(communes.items()):
        digest.update(f"{code}:{basin_id};".encode())
    for code, section in NafDivision.objects.order_by("code").values_list(
        "code", "section_id"
    ):
        digest.update(f"{code}:{section};".encode())
    return digest.hexdigest()


def _drop_indexes(cursor, rows: int) -> bool:
    """Drop the secondary indexes before a load that at least doubles the
    table.

    Building an index once from the loaded rows is several times cheaper
    than a million one-by-one insertions. Only worth it (and only done) for
    a near-first load: DROP INDEX locks the table until the import commits,
    so diagnostics wait for it; nothing reads a near-empty table anyway. The
    drop is transactional: a failed import gets its indexes back. (Into an
    empty table, _write_first_load builds them on the new table.)
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
    with connection.schema_editor(atomic=False) as editor:
        for index in Establishment._meta.indexes:
            editor.add_index(Establishment, index)


def _find_duplicates(cursor, head: CsvHead) -> None:
    """Set aside every line of a SIRET but its first one."""
    siret = _column(head, SIRET)
    cursor.execute(
        f"INSERT INTO sirene_duplicates (line) SELECT line FROM (SELECT "  # noqa: S608
        f's.line, row_number() OVER (PARTITION BY {siret} COLLATE "C" '
        f"ORDER BY s.line) AS rank FROM sirene_staging AS s) AS ranked "
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
        "WHEN s.line IN (SELECT line FROM sirene_duplicates) THEN 'siret_en_double'"
        if duplicates
        else ""
    )
    return f"""CASE
        WHEN octet_length({col[SIRET]}) <> 14 THEN 'siret_invalide'
        WHEN octet_length({col[SIREN]}) <> 9 OR {col[SIREN]} <> left({col[SIRET]}, 9)
            THEN 'siren_invalide'
        {duplicate}
    END"""


def _remarks_sql(col: dict[str, str]) -> str:
    """SQL: the row's remarks, one bit each (``REMARK_BITS``)."""
    bit = REMARK_BITS
    bands = ", ".join(f"'{band}'" for band in BANDS)
    # The common case first: a placed commune, a known NAF rév. 2 division.
    return f"""(
            CASE
                WHEN m.basin_id IS NOT NULL THEN 0
                WHEN {col[COMMUNE]} = '{ND}' THEN {bit["commune_non_diffusible"]}
                WHEN {col[COMMUNE]} = '' AND coalesce({col[COUNTRY]}, '') NOT IN
                    ('', '{ND}') THEN {bit["commune_etrangere"]}
                WHEN {col[COMMUNE]} = '' THEN {bit["commune_absente"]}
                ELSE {bit["commune_inconnue"]}
            END
            + CASE
                WHEN d.code IS NOT NULL THEN 0
                WHEN {col[NAF]} = '{ND}' THEN {bit["activite_non_diffusible"]}
                WHEN {col[NOMENCLATURE]} NOT IN ('{NAF_REV2}', '', '{ND}')
                    THEN {bit["autre_nomenclature"]}
                ELSE {bit["activite_inconnue"]}
            END
            + CASE
                WHEN {col[BAND]} IN ('', {bands}) THEN 0
                WHEN {col[BAND]} = '{ND}' THEN {bit["effectif_non_diffusible"]}
                ELSE {bit["effectif_inconnu"]}
            END)::smallint"""


def _transform_sql(
    head: CsvHead,
    *,
    duplicates: bool,
    staging: str = "sirene_staging",
    communes: str = "sirene_communes",
) -> str:
    """SELECT of the staged rows, transformed, with reasons.

    The two halves of each record's hash were computed while streaming it.
    """
    col = _columns(head)
    bands = ", ".join(f"'{band}'" for band in BANDS)
    # Built from constants and c<position> column names only: no user input.
    return f"""
        SELECT
            s.line,
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
            {streaming.hash_sql("s")} AS source_hash,
            {_remarks_sql(col)} AS remarks
        FROM {staging} AS s
        LEFT JOIN diagnostics_nafdivision AS d
            ON d.code = left({col[NAF]}, 2)
            AND {col[NOMENCLATURE]} = '{NAF_REV2}'
            AND octet_length({col[NAF]}) = 6
            AND substr({col[NAF]}, 3, 1) = '.'
        LEFT JOIN {communes} AS m ON m.code = {col[COMMUNE]}
    """  # noqa: S608


OTHER_NOMENCLATURE = (
    "CASE WHEN {alias}.remarks & {bit} <> 0 THEN {alias}.naf_nomenclature END"
)


def _merge(
    cursor,
    head: CsvHead,
    run: ImportRun,
    outcome: base.Outcome,
    *,
    duplicates: bool,
) -> None:
    """Write the staged records (a re-import's new or changed ones); add
    their counts to the outcome.

    Transformed, compared with the current values and written with
    ``INSERT ... ON CONFLICT DO UPDATE``.
    """
    names = ", ".join(("siret", *DATA_FIELDS, "source_hash", "remarks"))
    current = ", ".join(f"cur.{f}" for f in DATA_FIELDS)
    new = ", ".join(f"src.{f}" for f in DATA_FIELDS)
    target = ", ".join(f"e.{f}" for f in DATA_FIELDS)
    excluded = ", ".join(f"EXCLUDED.{f}" for f in DATA_FIELDS)
    updates = ", ".join(
        f"{f} = EXCLUDED.{f}" for f in (*DATA_FIELDS, "source_hash", "remarks")
    )
    other = REMARK_BITS["autre_nomenclature"]
    query = f"""
    WITH src AS MATERIALIZED ({_transform_sql(head, duplicates=duplicates)}),
    diff AS MATERIALIZED (
        SELECT src.*, CASE
            WHEN cur.siret IS NULL THEN 'new'
            WHEN ({current}) IS DISTINCT FROM ({new}) THEN 'changed'
            -- Same values, another hash (e.g. [ND] became blank): only
            -- the hash and remarks are refreshed; the row is unchanged.
            ELSE 'rehash'
        END AS change
        FROM src
        LEFT JOIN diagnostics_establishment AS cur ON cur.siret = src.siret
        WHERE src.reject IS NULL
    ),
    ins AS (
        INSERT INTO diagnostics_establishment AS e ({names}, import_run_id)
        SELECT src.siret, {new}, src.source_hash, src.remarks, %(run)s
        FROM diff AS src
        ORDER BY src.siret COLLATE "C"
        ON CONFLICT (siret) DO UPDATE SET {updates},
            import_run_id = CASE WHEN ({target}) IS DISTINCT FROM ({excluded})
                THEN EXCLUDED.import_run_id ELSE e.import_run_id END
        RETURNING 1
    )
    SELECT 'reject', reject, NULL, count(*) FROM src
        WHERE reject IS NOT NULL GROUP BY 2
    UNION ALL
    SELECT change, remarks::text,
        {OTHER_NOMENCLATURE.format(alias="diff", bit=other)}, count(*)
        FROM diff GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'written', NULL, NULL, count(*) FROM ins
    """  # noqa: S608
    cursor.execute(query, {"run": run.pk})
    _count(outcome, cursor.fetchall())


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
    query = (
        f"COPY (SELECT line, reject, {outer} FROM (SELECT s.line, "  # noqa: S608
        f"{_reject_sql(col, duplicates=True)} AS reject, {values} "
        f"FROM sirene_staging AS s) AS checked WHERE reject IS NOT NULL "
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
            index = {name: stream.index(name) for name in READ_COLUMNS}
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
        to_update, [*DATA_FIELDS, "remarks", "import_run"], batch_size=1000
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
        "remarks": sum(REMARK_BITS[warning] for warning in warnings),
    }
    return record, None, warnings


__all__ = ["check_file", "import_sirene", "transform"]
