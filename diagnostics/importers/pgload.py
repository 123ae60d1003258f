"""COPY a big CSV file into PostgreSQL scratch tables, on every core.

:class:`ParallelCopy` cuts the file into as many segments as there are cores
(at record boundaries), and streams each one, formatted by
:mod:`diagnostics.importers.streaming`, over its own connection into its
own UNLOGGED table, from its own thread: PostgreSQL parses them on every
core at once. A small file is one segment.

The import's transaction reads the tables through a temporary view. They
are committed by their own connections (the import must see them) but hold
nothing of value: dropped when the import ends, whatever happened; any that
a killed process left are dropped by the next import. Two imports never run
at once (:func:`lock_imports`).
"""

from __future__ import annotations

import itertools
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connection

from diagnostics.importers import streaming
from diagnostics.importers.validation import ImportFileError

logger = logging.getLogger(__name__)

# Below this size one stream is as fast: no threads, no extra connections.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
MAX_STREAMS = 2
TABLE_PREFIX = "diagnostics_scratch_"
LOCK_KEY = 0x5349524E  # "SIRN": one import of establishments at a time
# Connection keywords that are Django objects, not needed by plain psycopg.
_LOCAL_PARAMS = ("cursor_factory", "context")


def lock_imports(cursor, name: str) -> None:
    """Take the import lock for this transaction, or refuse in French."""
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
    if not cursor.fetchone()[0]:
        raise ImportFileError(
            f"Un autre import SIRENE est en cours : {name} n'a pas été importé. "
            "Relancez-le quand le premier sera terminé."
        )


def side_connection():
    """A new autocommit connection to the same database, without timeout."""
    side = connection.get_new_connection(connection.get_connection_params())
    side.autocommit = True
    side.execute("SET statement_timeout = 0")
    return side


def conninfo() -> dict:
    """psycopg.connect keywords of the default database."""
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k not in _LOCAL_PARAMS}


@dataclass
class Segment:
    index: int
    start: int
    end: int
    first_line: int
    table: str
    rows: int = 0


class ParallelCopy:
    """COPY a file's records, formatted, into scratch tables, one per run.

    ``columns``: the SQL column list of the tables. ``format`` and
    ``format_args``: a formatter of :mod:`streaming` and its keywords.
    ``start``: where the data starts (after the header, ``header_lines``
    long). ``options``: of the COPY. Other scratch tables of the same
    import are named by :meth:`aux_table`. Use as a context manager: the
    tables are dropped on exit.
    """

    def __init__(
        self,
        path: Path,
        *,
        start: int,
        header_lines: int,
        columns: str,
        format: str,
        format_args: dict,
        name: str,
        streams: int | None = None,
        options: str = "FORMAT csv",
    ):
        self.path = path
        self.start = start
        self.header_lines = header_lines
        self.columns = columns
        self.format = format
        self.format_args = format_args
        self.name = name
        self.options = options
        self._aux: list[str] = []
        if streams is None:
            streams = min(MAX_STREAMS, os.cpu_count() or 1)
            if path.stat().st_size - start < PARALLEL_MIN_BYTES:
                streams = 1
        self.streams = max(1, streams)
        self.segments: list[Segment] = []
        self._token = secrets.token_hex(4)

    # --- life cycle --------------------------------------------------------

    def __enter__(self) -> ParallelCopy:
        size = self.path.stat().st_size
        cuts = streaming.split_points(self.path, self.start, size, self.streams)
        with side_connection() as side:
            _drop_orphans(side)
            for index, ((start, lines), (end, _)) in enumerate(
                itertools.pairwise(cuts)
            ):
                table = f"{TABLE_PREFIX}{self._token}_{index}"
                side.execute(f"CREATE UNLOGGED TABLE {table} ({self.columns})")
                first = self.header_lines + lines + 1
                self.segments.append(Segment(index, start, end, first, table))
        return self

    def aux_table(self, name: str) -> str:
        """The name of a scratch table shared by the segments, dropped with
        theirs."""
        table = f"{TABLE_PREFIX}{self._token}_{name}"
        if table not in self._aux:
            self._aux.append(table)
        return table

    def __exit__(self, *exc_info) -> None:
        if not self.segments:
            return
        tables = ", ".join(
            [
                *(segment.table for segment in self.segments),
                *self._aux,
            ]
        )
        if connection.in_atomic_block:
            # Still inside an outer transaction, which holds the tables: drop
            # them there (if it rolls back, the next import drops them).
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {tables}")
            except Exception:
                logger.info("Scratch tables of %s left for later", self.name)
            return
        try:
            with side_connection() as side:
                side.execute("SET lock_timeout = '1s'")
                side.execute(f"DROP TABLE IF EXISTS {tables}")
        except psycopg.Error:
            logger.warning("Could not drop the scratch tables of %s", self.name)

    # --- the copy ----------------------------------------------------------

    def run(self, progress=None) -> int:
        """Copy every segment at once; return the number of rows copied.

        One thread per segment: each reads, formats and sends its records
        (Python's share, small: the records are passed through), while
        PostgreSQL parses and stores them, one backend per segment. This
        thread reports progress. A single segment is copied from this
        thread.
        """
        jobs = [self._job(segment) for segment in self.segments]
        counters = [streaming.Counter() for _ in jobs]
        stop = threading.Event()
        outcomes: list[dict] = [{} for _ in jobs]
        if len(jobs) == 1:
            # One segment: copied from this thread, progress after each chunk.
            report = None
            if progress is not None:

                def report(rows: int) -> None:
                    progress.update(rows_read=rows)

            outcomes[0] = streaming.copy_segment(jobs[0], counters[0], stop, report)
            return self._finish(outcomes, progress)

        def copy(position: int) -> None:
            outcomes[position] = streaming.copy_segment(
                jobs[position], counters[position], stop
            )

        def report() -> None:
            if progress is not None:
                progress.update(rows_read=sum(c.value for c in counters))

        in_threads(copy, len(jobs), tick=report)
        return self._finish(outcomes, progress)

    def _finish(self, outcomes: list[dict], progress) -> int:
        for outcome in outcomes:
            if "error" in outcome:
                raise ImportFileError(outcome["error"])
        for outcome in outcomes:
            if "crash" in outcome:
                raise RuntimeError(f"COPY of a segment failed: {outcome['crash']}")
        for segment, outcome in zip(self.segments, outcomes, strict=True):
            segment.rows = outcome["rows"]
        rows = sum(segment.rows for segment in self.segments)
        if progress is not None:
            progress.update(rows_read=rows, force=True)
        return rows

    def _job(self, segment: Segment) -> dict:
        return {
            "conninfo": conninfo(),
            "table": segment.table,
            "options": self.options,
            "path": str(self.path),
            "start": segment.start,
            "end": segment.end,
            "first_line": segment.first_line,
            "last": segment.index == len(self.segments) - 1,
            "format": self.format,
            "format_args": self.format_args,
            "name": self.name,
        }

    def union_sql(self) -> str:
        """SELECT of all the segments' rows (committed: any connection)."""
        return " UNION ALL ".join(
            # Table names are ours (prefix, random hex, index): no user input.
            f"SELECT * FROM {segment.table}"  # noqa: S608
            for segment in self.segments
        )

    def create_view(self, cursor, view: str) -> None:
        """A temp view of all the segments' rows, for this transaction."""
        cursor.execute(f"CREATE TEMP VIEW {view} AS {self.union_sql()}")


def _drop_orphans(side) -> None:
    """Drop scratch tables that a killed import left behind."""
    rows = side.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE %s",
        [TABLE_PREFIX.replace("_", r"\_") + "%"],
    ).fetchall()
    if not rows:
        return
    side.execute("SET lock_timeout = '20ms'")
    for (table,) in rows:
        try:
            side.execute(f'DROP TABLE IF EXISTS "{table}"')
        except psycopg.errors.LockNotAvailable:
            # Still read by an open transaction (a test's outer one).
            continue
    side.execute("RESET lock_timeout")


def in_threads(target: Callable[[int], None], count: int, *, tick=None) -> None:
    """Run ``target(0)`` to ``target(count - 1)``, one thread each, and wait
    for them all; meanwhile call ``tick()`` every quarter of a second."""
    threads = [
        threading.Thread(target=target, args=(position,), daemon=True)
        for position in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.25)
            if tick is not None:
                tick()


def run_concurrently(
    groups: list[list[str]], *, settings: tuple[str, ...] = ()
) -> list[list[tuple]]:
    """Run each group of statements on its own side connection, all groups
    at once (one thread each); return the rows each group's statements
    returned. The first error is raised once every group has ended.
    """
    results: list[list[tuple]] = [[] for _ in groups]
    errors: list[BaseException] = []

    def run(position: int) -> None:
        try:
            with side_connection() as side:
                for setting in settings:
                    side.execute(f"SET {setting}")
                for statement in groups[position]:
                    cursor = side.execute(statement)
                    if cursor.description is not None:
                        results[position].extend(cursor.fetchall())
        except Exception as error:  # raised below, in the caller's thread
            errors.append(error)

    in_threads(run, len(groups))
    if errors:
        raise errors[0]
    return results


@contextmanager
def timed(label: str):
    """Log the duration of a block at DEBUG level."""
    started = time.monotonic()
    yield
    logger.debug("%s: %.2f s", label, time.monotonic() - started)
