"""Reading a big CSV file record by record, and COPYing it, fast.

Plain psycopg, no Django: :func:`copy_segment` runs in a thread per segment
of the file, each with its own connection.

- :func:`records`: the file's records with their line numbers, read in
  1 MiB chunks (constant memory). A record is a line, or several when a
  quoted field holds a newline (an odd number of double quotes so far).
- :func:`split_points`: cuts a byte range into runs of whole records.
- :func:`record_hasher`: a 64-bit hash of a record, seeded.
- ``FORMATTERS``: what is sent of each record (keys only, or the record).
"""

from __future__ import annotations

import bisect
import csv
import re
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import psycopg

CHUNK_SIZE = 1024 * 1024
COPY_ERROR_LINE = re.compile(r"line (\d+)")


@dataclass
class Batch:
    """Records of one chunk: ``lines`` is None when they are one per line,
    numbered from ``first``; else it gives each record's first line."""

    first: int
    records: list[bytes]
    lines: list[int] | None = None
    # Positions in ``records`` of the records with a double quote.
    quoted: set[int] | tuple = ()

    @property
    def line_numbers(self) -> range | list[int]:
        if self.lines is None:
            return range(self.first, self.first + len(self.records))
        return self.lines

    def numbered(self):
        return zip(self.line_numbers, self.records, strict=True)


def records(
    path: Path, start: int, end: int, *, first_line: int, last: bool = True
) -> Iterator[Batch]:
    """The records of the bytes [start, end) of a file, a chunk at a time.

    ``start`` is the start of a line numbered ``first_line``. Records come
    without their final newline; a record spanning several lines (a quoted
    newline: an odd number of double quotes) comes whole, numbered by its
    first line. When ``last``, blank lines at the very end (a hand-edited
    file) are not records.
    """
    line = first_line
    pending: list[bytes] = []  # lines of a record still inside quotes
    pending_line = 0
    rest = b""
    with path.open("rb") as file:
        file.seek(start)
        remaining = end - start
        while remaining > 0 or rest:
            chunk = file.read(min(CHUNK_SIZE, remaining)) if remaining > 0 else b""
            remaining -= len(chunk)
            data = rest + chunk
            if remaining > 0:
                cut = data.rfind(b"\n") + 1
                if not cut:
                    rest = data
                    continue
                data, rest = data[: cut - 1], data[cut:]
                lines = data.split(b"\n")
            else:
                rest = b""
                lines = data.split(b"\n")
                if last:
                    while lines and lines[-1] in (b"", b"\r"):
                        lines.pop()
                elif lines and lines[-1] == b"":
                    lines.pop()
            quoted = _quoted(data, lines) if b'"' in data else ()
            if not pending and not any(lines[i].count(b'"') % 2 for i in quoted):
                yield Batch(line, lines, quoted=quoted)
                line += len(lines)
                continue
            # Some record spans lines: number each one.
            batch = Batch(line, [], [], set())
            for text in lines:
                if b'"' in text:
                    batch.quoted.add(len(batch.records))
                if pending or (b'"' in text and text.count(b'"') % 2):
                    if not pending:
                        pending_line = line
                    pending.append(text)
                    line += 1
                    joined = b"\n".join(pending)
                    if joined.count(b'"') % 2 == 0:
                        batch.records.append(joined)
                        batch.lines.append(pending_line)
                        pending = []
                    continue
                batch.records.append(text)
                batch.lines.append(line)
                line += 1
            yield batch
    if pending:
        # An unclosed quote at the end: COPY reports it.
        yield Batch(pending_line, [b"\n".join(pending)], quoted={0})


def _quoted(data: bytes, lines: list[bytes]) -> set[int]:
    """Positions of the lines of ``data`` holding a double quote.

    Quotes are rare (a few lines in a hundred): finding them in the whole
    chunk is much cheaper than testing every line.
    """
    found = set()
    index = previous = 0
    position = data.find(b'"')
    while position != -1:
        index += data.count(b"\n", previous, position)
        found.add(index)
        # Skip to the next line: one finding per line is enough.
        previous = data.find(b"\n", position)
        if previous == -1:
            break
        position = data.find(b'"', previous)
    return found


def split_points(path: Path, start: int, end: int, parts: int) -> list[tuple[int, int]]:
    """(byte offset, line count before it) cutting [start, end) in ``parts``.

    A cut is made just after a newline that is outside double quotes (an
    even number of quotes since ``start``), at or after each even share.
    Quotes inside quoted fields come in pairs, so the parity is exact.
    The first cut is (start, 0); the last is (end, None).
    """
    targets = [start + (end - start) * k // parts for k in range(1, parts)]
    cuts = [(start, 0)]
    parity = 0
    lines = 0
    offset = start
    with path.open("rb") as file:
        file.seek(start)
        while targets and offset < end:
            chunk = file.read(min(CHUNK_SIZE, end - offset))
            if not chunk:
                break
            chunk_end = offset + len(chunk)
            position = 0
            while targets and targets[0] < chunk_end:
                position = max(position, targets[0] - offset)
                newline = chunk.find(b"\n", position)
                while newline != -1:
                    if (parity + chunk.count(b'"', 0, newline)) % 2 == 0:
                        break
                    newline = chunk.find(b"\n", newline + 1)
                if newline == -1:
                    targets[0] = chunk_end  # the cut falls in a later chunk
                    break
                cut = offset + newline + 1
                if cut < end:
                    cuts.append((cut, lines + chunk.count(b"\n", 0, newline + 1)))
                targets.pop(0)
                position = newline + 1
            parity = (parity + chunk.count(b'"')) % 2
            lines += chunk.count(b"\n")
            offset = chunk_end
    return [*cuts, (end, None)]


def copy_error_message(error, name: str, sent: Sent) -> str:
    """French message for a COPY data error, with the line in the file.

    ``sent``: the file line of each record sent to this COPY.
    """
    context = error.diag.context or ""
    match = COPY_ERROR_LINE.search(context)
    where = ""
    if match and 0 < int(match.group(1)) <= len(sent):
        where = f" à la ligne {sent.line(int(match.group(1)))}"
    primary = error.diag.message_primary or ""
    if "0x00" in primary:
        problem = "contient des octets nuls : c'est un fichier binaire"
    elif "type date" in primary or "date/time" in primary:
        problem = "contient une date de création invalide"
    elif "smallint" in primary:
        problem = "contient une année d'effectif invalide"
    elif "encoding" in primary or "byte sequence" in primary:
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


HASH_OFFSET = 1 << 63  # unsigned 64 bits -> a signed bigint


def _seeds(key: bytes) -> tuple[int, int]:
    return zlib.crc32(key), zlib.adler32(key)


def record_hasher(key: bytes) -> Callable[[bytes], int]:
    """A 64-bit hash of a record, seeded by ``key``, as a signed bigint.

    CRC-32 and Adler-32 side by side: both in C, ten times cheaper than a
    cryptographic hash per record, and enough to tell a changed record
    from the same one (nobody forges SIRENE rows against this). The
    formatters below send both halves, computed by ``map`` over a chunk's
    records (no Python code per record but the formatting), and
    PostgreSQL puts them together (:func:`hash_sql`).
    """
    crc_seed, adler_seed = _seeds(key)

    def digest(record: bytes) -> int:
        crc, adler = zlib.crc32(record, crc_seed), zlib.adler32(record, adler_seed)
        return (crc << 32 | adler) - HASH_OFFSET

    return digest


def hash_sql(alias: str) -> str:
    """SQL: :func:`record_hasher`'s value from the two halves sent (columns
    ``crc`` and ``adler`` of ``alias``). Subtracting 2**63 from an unsigned
    64-bit number is flipping its top bit."""
    return f"(({alias}.crc << 32 | {alias}.adler) # (-9223372036854775808)::bigint)"


def _halves(records: list[bytes], key: bytes) -> tuple[Iterator, Iterator]:
    """Each record's CRC-32 and Adler-32, seeded by ``key``."""
    crc_seed, adler_seed = _seeds(key)
    return (
        map(zlib.crc32, records, repeat(crc_seed)),
        map(zlib.adler32, records, repeat(adler_seed)),
    )


# --- what is sent of each record --------------------------------------------


class Sent:
    """The file line of each record sent to a COPY (whose errors give the
    record's number), kept as runs: a few numbers per chunk of the file,
    whatever its size."""

    def __init__(self):
        self._starts = array("q")  # records sent before each run
        self._firsts = array("q")  # the run's first line
        self._lines: dict[int, list[int]] = {}  # runs not one line apart
        self._count = 0

    def add(self, lines) -> None:
        """Lines sent, in order: a range, or a list."""
        if not lines:
            return
        if not isinstance(lines, range):
            self._lines[len(self._starts)] = list(lines)
        self._starts.append(self._count)
        self._firsts.append(lines[0])
        self._count += len(lines)

    def __len__(self) -> int:
        return self._count

    def line(self, number: int) -> int:
        """The line of the ``number``-th record sent (from 1)."""
        run = bisect.bisect_right(self._starts, number - 1) - 1
        offset = number - 1 - self._starts[run]
        listed = self._lines.get(run)
        return listed[offset] if listed is not None else self._firsts[run] + offset


def _field(record: bytes, index: int) -> bytes:
    """A field of a record with quotes, read as CSV ('' if it has none)."""
    try:
        values = next(csv.reader([record.decode("utf-8", "surrogateescape")]))
        value = values[index]
    except (csv.Error, IndexError, StopIteration):
        return b""
    value = value.encode("utf-8", "surrogateescape")
    # As a bare CSV field: no separator, quote or line break.
    return re.sub(rb'[,"\r\n]', b"", value)


def key_formatter(*, key: bytes, index: int, columns: int):
    """COPY rows ``line,siret,crc,adler`` of every record (see
    :func:`hash_sql`), where siret is the field at ``index`` of the record
    (of ``columns`` fields)."""
    last = index == columns - 1

    def value(record: bytes, quoted: bool) -> bytes:
        if quoted:
            return _field(record, index)
        parts = record.split(b",", index + 1)
        found = parts[index] if len(parts) > index else b""
        return found.rstrip(b"\r") if last else found

    def format(batch: Batch, sent: Sent) -> bytes:
        lines = batch.line_numbers
        sent.add(lines)
        quoted = batch.quoted
        split = bytes.split
        records = batch.records
        if quoted or last:
            keys = [value(r, p in quoted) for p, r in enumerate(records)]
        else:
            try:
                keys = [split(r, b",", index + 1)[index] for r in records]
            except IndexError:  # a short (ragged) record: COPY reports it
                keys = [value(r, False) for r in records]
        crcs, adlers = _halves(records, key)
        # One comprehension: this runs for every record.
        return b"".join(
            [
                b"%d,%s,%d,%d\n" % row
                for row in zip(lines, keys, crcs, adlers, strict=True)
            ]
        )

    return format


def row_formatter(*, key: bytes, wanted: bytes | None):
    """COPY rows ``line,crc,adler,<the record>`` (see :func:`hash_sql`) of
    the wanted lines (a bitmap of line numbers; None: every line)."""

    def keep(line: int) -> bool:
        return line >> 3 < len(wanted) and wanted[line >> 3] >> (line & 7) & 1

    def format(batch: Batch, sent: Sent) -> bytes:
        lines = batch.line_numbers
        records = batch.records
        # No wanted line in this chunk: nothing to look at record by record.
        if (
            wanted is not None
            and batch.lines is None
            and lines
            and not any(wanted[lines[0] >> 3 : (lines[-1] >> 3) + 1])
        ):
            return b""
        if wanted is not None:
            pairs = [
                (line, record)
                for line, record in zip(lines, records, strict=True)
                if keep(line)
            ]
            lines = [line for line, _ in pairs]
            records = [record for _, record in pairs]
        sent.add(lines)
        crcs, adlers = _halves(records, key)
        return b"".join(
            [
                b"%d,%d,%d,%s\n" % row
                for row in zip(lines, crcs, adlers, records, strict=True)
            ]
        )

    return format


FORMATTERS: dict[str, Callable[..., Callable[[Batch, Sent], bytes]]] = {
    "keys": key_formatter,
    "rows": row_formatter,
}


# --- one segment -------------------------------------------------------------


class Counter:
    """Records read by a segment so far, for progress."""

    def __init__(self):
        self.value = 0


def copy_segment(job: dict, counter=None, stop=None, on_batch=None) -> dict:
    """COPY one segment's formatted records; return its outcome as a dict.

    ``job``: ``conninfo`` (psycopg.connect keywords), ``table``,
    ``options`` (of the COPY), ``path``, ``start``, ``end``,
    ``first_line``, ``last``, ``format`` and ``format_args`` (a key of
    FORMATTERS and its keywords), ``name`` (the file's, for messages).
    ``on_batch(records read)`` is called after each chunk. Returns ``rows``,
    or ``error`` (a French message) or ``crash`` (anything else).
    """
    counter = counter if counter is not None else Counter()
    format = FORMATTERS[job["format"]](**job["format_args"])
    sent = Sent()
    try:
        with psycopg.connect(**job["conninfo"], autocommit=True) as connection:
            connection.execute("SET statement_timeout = 0")
            with connection.cursor() as cursor:
                with cursor.copy(
                    f"COPY {job['table']} FROM STDIN ({job['options']})"
                ) as copy:
                    for batch in records(
                        Path(job["path"]),
                        job["start"],
                        job["end"],
                        first_line=job["first_line"],
                        last=job["last"],
                    ):
                        if stop is not None and stop.is_set():
                            return {"stopped": True}
                        data = format(batch, sent)
                        counter.value += len(batch.records)
                        if data:
                            copy.write(data)
                        if on_batch is not None:
                            on_batch(counter.value)
                rows = cursor.rowcount
    except psycopg.errors.DataError as error:
        if stop is not None:
            stop.set()
        return {"error": copy_error_message(error, job["name"], sent)}
    except Exception as error:  # reported by ParallelCopy.run
        if stop is not None:
            stop.set()
        return {"crash": f"{type(error).__name__}: {error}"}
    return {"rows": rows}
