"""Checks shared by every public-data import: refuse a bad file early.

``inspect_csv`` looks at the head of a file (synchronously, at upload time,
before anything is written): empty, binary, not UTF-8, ";" separator,
missing columns, ragged rows. ``CsvStream`` then reads the whole file by
column name in constant memory, decoding UTF-8 incrementally: a bad byte or a
ragged row far down a huge file raises :class:`ImportFileError`, and since
every importer writes inside one transaction, nothing is kept.

All messages are in French: they are shown to the person who uploaded.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from basins.services import ImportFileError

__all__ = [
    "HEAD_SIZE",
    "CsvHead",
    "CsvStream",
    "ImportFileError",
    "escape_formula",
    "inspect_csv",
]

# Enough for the header and a few thousand rows of any of our files.
HEAD_SIZE = 256 * 1024
CHUNK_SIZE = 1024 * 1024
BOM = codecs.BOM_UTF8

_MAGIC = {
    b"PK\x03\x04": "une archive ZIP ou un classeur Excel (.xlsx)",
    b"\xd0\xcf\x11\xe0": "un classeur Excel ancien (.xls)",
    b"\x1f\x8b": "une archive gzip",
    b"%PDF": "un document PDF",
    b"PAR1": "un fichier Parquet",
    b"7z\xbc\xaf": "une archive 7-Zip",
}


@dataclass(frozen=True)
class CsvHead:
    """What the head of a valid file tells us."""

    columns: list[str]
    # Bytes before the first data row (BOM + header line).
    header_size: int
    # Average size of a data row in the head, to estimate the row count.
    average_row_size: float
    rows_in_head: int

    def index(self, column: str) -> int | None:
        try:
            return self.columns.index(column)
        except ValueError:
            return None

    def estimate_rows(self, size: int) -> int:
        if not self.average_row_size:
            return self.rows_in_head
        return max(
            self.rows_in_head,
            round((size - self.header_size) / self.average_row_size),
        )


def escape_formula(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    if value and value[0] in "=+-@\t\r\x00":
        return "'" + value
    return value


def _decode_error(name: str, raw: bytes, error: UnicodeDecodeError) -> str:
    line = raw.count(b"\n", 0, error.start) + 1
    guess = ""
    try:
        raw[: error.start + 64].decode("cp1252")
        guess = " Il semble enregistré en Windows-1252 (Excel « CSV »)."
    except UnicodeDecodeError:
        pass
    return (
        f"Le fichier {name} n'est pas encodé en UTF-8 : octet invalide "
        f"0x{raw[error.start]:02x} à la ligne {line}.{guess} "
        "Réenregistrez-le en « CSV UTF-8 »."
    )


def _check_bytes(name: str, raw: bytes) -> None:
    if not raw.strip(b" \t\r\n" + BOM):
        raise ImportFileError(f"Le fichier {name} est vide.")
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise ImportFileError(
                f"Le fichier {name} est {what}, pas un fichier texte CSV : "
                "exportez-le au format CSV UTF-8."
            )
    if b"\x00" in raw:
        raise ImportFileError(
            f"Le fichier {name} contient des octets nuls : c'est un fichier "
            "binaire, pas un fichier texte CSV."
        )


def _header_problem(columns: list[str], name: str) -> None:
    if len(columns) == 1:
        for separator, label in ((";", "« ; »"), ("\t", "des tabulations")):
            if separator in columns[0]:
                raise ImportFileError(
                    f"Le fichier {name} utilise {label} comme séparateur : le "
                    "format attendu sépare les colonnes par des virgules « , »."
                )
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ImportFileError(
            f"Colonnes en double dans {name} : {', '.join(duplicates)}."
        )


def check_columns(
    columns: list[str], *, required: Iterable[str], name: str
) -> list[str]:
    """Refuse a header lacking required columns, naming the missing ones."""
    _header_problem(columns, name)
    missing = [column for column in required if column not in columns]
    if missing:
        raise ImportFileError(
            f"Colonnes manquantes dans {name} : {', '.join(missing)}."
        )
    return columns


def inspect_csv(
    path: Path | str,
    *,
    required: Iterable[str] = (),
    name: str | None = None,
    patterns: Iterable[re.Pattern] = (),
) -> CsvHead:
    """Check the head of a CSV file and return its header.

    Refuses (ImportFileError, in French): an empty file, a binary file, a
    file that is not UTF-8 (BOM accepted), a ";" or tab separator, missing
    columns, and rows of the head whose column count differs from the header.
    ``patterns``: regular expressions each of which must match a column.
    """
    path = Path(path)
    name = name or path.name
    with path.open("rb") as file:
        raw = file.read(HEAD_SIZE)
        complete = not file.read(1)
    _check_bytes(name, raw)
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
        bom = len(BOM)
    else:
        bom = 0
    if not complete:
        # Drop the last, possibly cut, line: it is checked while streaming.
        cut = raw.rfind(b"\n")
        raw = raw[: cut + 1] if cut > 0 else raw
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(raw, final=complete)
    except UnicodeDecodeError as error:
        raise ImportFileError(_decode_error(name, raw, error)) from None

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = [column.strip() for column in next(reader, [])]
        header_size = bom + len(text[: _header_end(text)].encode("utf-8"))
        check_columns(columns, required=required, name=name)
        for pattern in patterns:
            if not any(pattern.fullmatch(column) for column in columns):
                raise ImportFileError(
                    f"Aucune colonne de {name} ne correspond au motif attendu "
                    f"« {pattern.pattern} »."
                )
        rows = 0
        for values in reader:
            if not values:
                continue
            rows += 1
            if len(values) != len(columns):
                raise ImportFileError(_ragged(name, reader.line_num, values, columns))
    except csv.Error as error:
        raise ImportFileError(
            f"Ligne {reader.line_num} du fichier {name} : CSV mal formé ({error})."
        ) from None
    body = len(raw) + bom - header_size
    return CsvHead(
        columns=columns,
        header_size=header_size,
        average_row_size=body / rows if rows else 0.0,
        rows_in_head=rows,
    )


def _header_end(text: str) -> int:
    """Offset just after the header line (quotes may hide newlines)."""
    quoted = False
    for offset, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            return offset + 1
    return len(text)


def _ragged(name: str, line: int, values: list[str], columns: list[str]) -> str:
    return (
        f"Ligne {line} du fichier {name} : {len(values)} colonnes au lieu de "
        f"{len(columns)} (séparateur ou guillemet mal placé ?)."
    )


class _CheckedReader(io.RawIOBase):
    """A raw binary stream that refuses NUL bytes and counts what it reads."""

    def __init__(self, file, name: str, on_chunk=None):
        self._file = file
        self._name = name
        self._on_chunk = on_chunk
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()
        super().close()

    def readinto(self, buffer) -> int:
        count = self._file.readinto(buffer)
        if count:
            chunk = bytes(memoryview(buffer)[:count])
            if b"\x00" in chunk:
                raise ImportFileError(
                    f"Le fichier {self._name} contient des octets nuls : "
                    "c'est un fichier binaire, pas un fichier texte CSV."
                )
            self.bytes_read += count
            if self._on_chunk is not None:
                self._on_chunk(chunk)
        return count


class CsvStream:
    """Stream a CSV file's rows as lists, with columns looked up by name.

    Use as a context manager; iterate to get ``(line_number, values)``.
    Decodes UTF-8 (BOM accepted) incrementally with the C decoder; a bad byte
    anywhere, a NUL byte or a ragged row raises ImportFileError.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        required: Iterable[str] = (),
        name: str | None = None,
        on_chunk=None,
    ):
        self.path = Path(path)
        self.name = name or self.path.name
        self.required = tuple(required)
        self._on_chunk = on_chunk
        self.columns: list[str] = []

    def __enter__(self) -> CsvStream:
        self._file = self.path.open("rb", buffering=0)
        self._raw = _CheckedReader(self._file, self.name, self._on_chunk)
        self._text = io.TextIOWrapper(
            io.BufferedReader(self._raw, CHUNK_SIZE),
            encoding="utf-8-sig",
            errors="strict",
            newline="",
        )
        self._reader = csv.reader(self._text)
        try:
            header = next(self._reader, None)
        except UnicodeDecodeError as error:
            raise ImportFileError(self._stream_decode_error(error)) from None
        if header is None:
            raise ImportFileError(f"Le fichier {self.name} est vide.")
        self.columns = [column.strip() for column in header]
        check_columns(self.columns, required=self.required, name=self.name)
        return self

    def __exit__(self, *exc_info) -> None:
        self._text.close()

    @property
    def bytes_read(self) -> int:
        return self._raw.bytes_read

    @property
    def line_number(self) -> int:
        return self._reader.line_num

    def index(self, column: str) -> int | None:
        try:
            return self.columns.index(column)
        except ValueError:
            return None

    def _stream_decode_error(self, error: UnicodeDecodeError) -> str:
        return (
            f"Le fichier {self.name} n'est pas encodé en UTF-8 : octet invalide "
            f"0x{error.object[error.start]:02x} vers la ligne "
            f"{self._reader.line_num + 1}. Réenregistrez-le en « CSV UTF-8 » ; "
            "rien n'a été importé."
        )

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.columns)
        reader = self._reader
        try:
            for values in reader:
                if len(values) != width:
                    if not values:
                        continue
                    raise ImportFileError(
                        _ragged(self.name, reader.line_num, values, self.columns)
                    )
                yield reader.line_num, values
        except UnicodeDecodeError as error:
            raise ImportFileError(self._stream_decode_error(error)) from None
        except csv.Error as error:
            raise ImportFileError(
                f"Ligne {reader.line_num} du fichier {self.name} : CSV mal formé "
                f"({error})."
            ) from None
