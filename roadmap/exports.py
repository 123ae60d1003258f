"""Roadmap exports (XLSX, CSV) built with tablib, every cell formula-safe."""

import re
from datetime import date
from decimal import Decimal

# A spreadsheet runs a cell starting with one of these as a formula (CSV
# injection). IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips "=".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Control characters that XLSX cannot store (openpyxl refuses them) and that
# have no business in a CSV either; tab, LF and CR are kept.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_cell(value):
    """Return value safe for a spreadsheet cell.

    Strings starting with = + - @, tab, CR or NUL (also after leading spaces,
    which some spreadsheets skip) get a leading apostrophe, so they are read
    as text. Numbers, dates, booleans and None are returned untouched.
    """
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return value
    text = str(value)
    if text.lstrip(" ").startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return CONTROL_CHARACTERS.sub("", text)


def escape_row(row):
    """escape_cell over a row (any iterable), as a tuple."""
    return tuple(escape_cell(value) for value in row)
