"""Exports: formula-safe cells, XLSX and CSV content."""

from datetime import date
from decimal import Decimal

import pytest

from roadmap.exports import escape_cell, escape_row


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@x", "'@x"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\0=1", "'=1"),
        ("  =1+1", "'  =1+1"),
    ],
)
def test_formula_triggers_are_prefixed_with_an_apostrophe(value, expected):
    assert escape_cell(value) == expected


@pytest.mark.parametrize(
    "value",
    ["Grenoble", "Plan 2026-2030", "contact@example.fr", "", "l'usine = friche"],
)
def test_plain_text_is_untouched(value):
    assert escape_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [-5, 0, 3.5, Decimal("-12.50"), True, None, date(2026, 1, 1)],
)
def test_numbers_dates_and_none_are_untouched(value):
    assert escape_cell(value) is value


def test_control_characters_are_dropped_but_newlines_kept():
    assert escape_cell("ligne 1\nligne\x02 2") == "ligne 1\nligne 2"


def test_escape_row_escapes_every_cell():
    assert escape_row(["=1", 2, "ok"]) == ("'=1", 2, "ok")
