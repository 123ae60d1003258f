from diagnostics.templatetags.diagnostic_format import decimal, percent


def test_percent_rounds_rather_than_cuts():
    assert percent(0.12399) == "12,4\u202f%"


def test_decimal_rounds_rather_than_cuts():
    assert decimal(1.9286) == "1,93"


def test_missing_values_show_a_dash():
    assert percent(None) == "—"
    assert decimal("") == "—"
