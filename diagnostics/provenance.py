"""What a data file says about itself: the vintage of its data, and whether
the project's demo generator wrote it.

Read from the file's head (and, for the small population file, its year
column) before the import: the quarters of INSEE's unemployment file, the
year of the BMO survey, the census years, the date INSEE wrote a zipped
SIRENE stock, the marker of the demo generator. A vintage declared by whoever
imports the file wins. Nothing here validates the file (the importers do) or
writes to the database; a file this code cannot read gets no facts.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils import formats

from diagnostics.models import ImportKind

# bench/sirene.py writes this in enseigne3Etablissement of its first row: a
# valid value of the official format, which no real stock carries.
GENERATED_MARKER = "DONNEES DE DEMONSTRATION GENEREES"
MARKER_COLUMN = "enseigne3Etablissement"
QUARTER_RE = re.compile(r"\d{4}-T[1-4]")
# The BMO file has one year; a few hundred rows are enough to see it.
BMO_ROWS_READ = 500
UNREADABLE = (OSError, EOFError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile)


@dataclass(frozen=True)
class FileFacts:
    vintage: str = ""
    generated: bool = False


def describe_file(
    *, kind: str, path: Path | str, declared_vintage: str = ""
) -> FileFacts:
    """The vintage and the generated flag of a file about to be imported."""
    try:
        facts = _READERS.get(kind, _nothing)(Path(path))
    except UNREADABLE:
        facts = FileFacts()
    vintage = (declared_vintage or "").strip() or facts.vintage
    return FileFacts(vintage=vintage[:120], generated=facts.generated)


@contextmanager
def _open_text(path: Path):
    """A text stream over a .csv, .csv.gz or .zip file (its first CSV member)."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            member = _csv_member(archive)
            with archive.open(member) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    elif name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as text:
            yield text
    else:
        with path.open(encoding="utf-8-sig", newline="") as text:
            yield text


def _csv_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
    if not members:
        raise zipfile.BadZipFile("no CSV member")
    return members[0]


def french_date(day: date) -> str:
    """1er janvier 2026, 15 mars 2026."""
    text = formats.date_format(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


def _sirene(path: Path) -> FileFacts:
    with _open_text(path) as text:
        reader = csv.reader(text)
        header = next(reader, [])
        first = next(reader, [])
    if MARKER_COLUMN in header:
        at = header.index(MARKER_COLUMN)
        if at < len(first) and first[at] == GENERATED_MARKER:
            return FileFacts(
                vintage="stock fictif, sans date de référence réelle",
                generated=True,
            )
    if path.name.lower().endswith(".zip"):
        # INSEE builds the zipped stock at the start of each month: the
        # member's date is the day the stock describes.
        with zipfile.ZipFile(path) as archive:
            stamp = _csv_member(archive).date_time
        return FileFacts(vintage=f"stock Sirene au {french_date(date(*stamp[:3]))}")
    return FileFacts()


def _unemployment(path: Path) -> FileFacts:
    with _open_text(path) as text:
        header = next(csv.reader(text), [])
    quarters = sorted(column for column in header if QUARTER_RE.fullmatch(column))
    if not quarters:
        return FileFacts()
    return FileFacts(vintage=f"trimestres {quarters[0]} à {quarters[-1]}")


def _population(path: Path) -> FileFacts:
    with _open_text(path) as text:
        years = {
            row["an"].strip()
            for row in csv.DictReader(text)
            if (row.get("an") or "").strip().isdigit()
        }
    if not years:
        return FileFacts()
    first, last = min(years), max(years)
    if first == last:
        return FileFacts(vintage=f"recensement {first}")
    return FileFacts(vintage=f"recensements de {first} à {last}")


def _bmo(path: Path) -> FileFacts:
    with _open_text(path) as text:
        reader = csv.DictReader(text)
        years = set()
        for number, row in enumerate(reader):
            if number >= BMO_ROWS_READ:
                break
            year = (row.get("annee") or "").strip()
            if year.isdigit():
                years.add(year)
    if not years:
        return FileFacts()
    return FileFacts(vintage=f"enquête BMO {', '.join(sorted(years))}")


def _nothing(path: Path) -> FileFacts:
    return FileFacts()


_READERS = {
    ImportKind.SIRENE: _sirene,
    ImportKind.UNEMPLOYMENT: _unemployment,
    ImportKind.POPULATION: _population,
    ImportKind.BMO: _bmo,
}
