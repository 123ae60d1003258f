"""Plotly figure builders: pure functions, no database."""

import json
from datetime import date
from decimal import Decimal

from roadmap import charts


def _figure(**kwargs):
    return json.loads(charts.indicator_figure(**kwargs))


def _trace(figure, name):
    return next(trace for trace in figure["data"] if trace["name"] == name)


def test_indicator_target_is_a_line_from_baseline_to_target_date():
    figure = _figure(
        name="Emplois créés",
        unit="emplois",
        baseline=Decimal("10"),
        baseline_date=date(2025, 1, 1),
        target=Decimal("120"),
        target_date=date(2028, 12, 31),
    )
    target = _trace(figure, "Trajectoire cible")
    assert target["x"] == ["2025-01-01", "2028-12-31"]
    assert target["y"] == [10.0, 120.0]
    assert "lines" in target["mode"]


def test_indicator_measurements_are_sorted_by_date():
    figure = _figure(
        name="Emplois créés",
        measurements=[
            {"measured_on": date(2026, 6, 1), "value": Decimal("45")},
            (date(2025, 6, 1), 12),
        ],
    )
    measures = _trace(figure, "Mesures")
    assert measures["x"] == ["2025-06-01", "2026-06-01"]
    assert measures["y"] == [12.0, 45.0]
    assert measures["mode"] == "lines+markers"


def test_indicator_without_target_date_has_no_target_line():
    figure = _figure(name="Part d'achats locaux", target=Decimal("30"))
    names = [trace["name"] for trace in figure["data"]]
    assert "Trajectoire cible" not in names


def test_indicator_without_baseline_draws_the_target_as_one_point():
    figure = _figure(name="X", target=5, target_date=date(2027, 1, 1))
    target = _trace(figure, "Trajectoire cible")
    assert target["x"] == ["2027-01-01"]


def test_indicator_labels_are_french_and_titled():
    figure = _figure(name="Pérennité des entreprises", unit="%")
    layout = figure["layout"]
    assert layout["title"]["text"] == "Pérennité des entreprises"
    assert layout["yaxis"]["title"]["text"] == "Valeur (%)"
    assert layout["xaxis"]["title"]["text"] == "Date"
    assert layout["separators"] == ", "


def test_empty_indicator_says_so_on_the_chart():
    figure = _figure(name="Autre")
    texts = [note["text"] for note in figure["layout"].get("annotations", [])]
    assert texts == ["Ni cible ni mesure saisie"]


def test_indicator_with_measures_has_no_empty_notice():
    figure = _figure(name="Autre", measurements=[(date(2026, 1, 1), 3)])
    assert "annotations" not in figure["layout"]


def test_figure_json_carries_no_default_template():
    # The default plotly template weighs about 10 kB per figure.
    text = charts.indicator_figure(name="Emplois créés")
    assert len(text) < 3000
    assert "colorscale" not in text


def test_indicator_summary_describes_target_and_last_measure():
    summary = charts.indicator_summary(
        name="Emplois créés",
        unit="emplois",
        baseline=0,
        target=Decimal("1200.5"),
        target_date=date(2028, 12, 31),
        measurements=[(date(2026, 6, 1), 45), (date(2025, 6, 1), 12)],
    )
    assert summary == (
        "Emplois créés : valeur de référence 0 emplois, cible 1\u202f200,5 emplois "
        "au 31/12/2028, 2 mesures, la dernière 45 emplois le 01/06/2026."
    )


def test_indicator_summary_without_target_or_measure():
    summary = charts.indicator_summary(name="Autre")
    assert summary == (
        "Autre : valeur de référence —, aucune cible datée, aucune mesure."
    )


STAGES = [
    {
        "label": "1. Diagnostic partagé",
        "progress": 50,
        "status": "validated",
        "status_label": "validée",
    },
    {
        "label": "2. Projection stratégique",
        "progress": None,
        "status": "draft",
        "status_label": "brouillon",
    },
    {
        "label": "3. Compétences",
        "progress": 140,
        "status": "returned",
        "status_label": "renvoyée",
    },
]


def test_stage_progress_keeps_order_and_clamps_values():
    figure = json.loads(charts.stage_progress_figure(stages=STAGES))
    bar = figure["data"][0]
    assert bar["type"] == "bar"
    assert bar["orientation"] == "h"
    assert bar["y"] == [row["label"] for row in STAGES]
    assert bar["x"] == [50.0, 0.0, 100.0]
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"
    assert figure["layout"]["xaxis"]["range"] == [0, 100]


def test_stage_progress_writes_status_in_text_not_only_colour():
    figure = json.loads(charts.stage_progress_figure(stages=STAGES))
    bar = figure["data"][0]
    assert bar["text"] == ["50 % — validée", "0 % — brouillon", "100 % — renvoyée"]
    assert bar["marker"]["color"] == [
        charts.STATUS_COLOURS["validated"],
        charts.STATUS_COLOURS["draft"],
        charts.STATUS_COLOURS["returned"],
    ]


def test_stage_progress_summary_is_french_text():
    assert charts.stage_progress_summary(stages=STAGES[:2]) == (
        "Avancement par étape — 1. Diagnostic partagé : 50 % (validée) ; "
        "2. Projection stratégique : 0 % (brouillon)."
    )


def test_format_number_is_french():
    assert charts.format_number(Decimal("1234567.25")) == "1\u202f234\u202f567,25"
    assert charts.format_number(3) == "3"
    assert charts.format_number(None) == "—"


def test_figures_carry_a_config_without_mode_bar():
    for text in (
        charts.indicator_figure(name="X"),
        charts.stage_progress_figure(stages=STAGES),
    ):
        assert json.loads(text)["config"] == {"displayModeBar": False, "locale": "fr"}
