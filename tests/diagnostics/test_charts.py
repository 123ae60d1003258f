"""Plotly figure builders: pure functions, tested without a database."""

import json

from diagnostics import charts, metrics


def indicator(code, employees, lq, specialised, label="Libellé"):
    return metrics.SectorIndicator(
        code=code,
        label=label,
        establishments=3,
        employees=employees,
        employees_share=None,
        location_quotient=lq,
        specialised=specialised,
    )


def test_employees_by_sector_puts_the_largest_on_top():
    figure = json.loads(
        charts.employees_by_sector(
            [indicator("C", 900.4, 2.0, True), indicator("G", 100, 0.5, False)],
            title="Titre",
        )
    )
    bar = figure["data"][0]
    # Plotly draws horizontal bars bottom-up: the largest comes last.
    assert bar["x"] == [100, 900]
    assert bar["y"][-1].startswith("C — ")
    assert figure["layout"]["title"]["text"] == "Titre"


def test_specialisations_are_labelled_in_text_and_hatched():
    figure = json.loads(
        charts.location_quotients(
            [indicator("25", 500, 2.345, True), indicator("47", 50, 0.8, False)]
        )
    )
    bar = figure["data"][0]
    assert bar["text"] == ["", "Spécialisation"]
    assert bar["marker"]["pattern"]["shape"] == ["", "/"]
    assert bar["x"] == [0.8, 2.35]
    thresholds = [shape["x0"] for shape in figure["layout"]["shapes"]]
    assert thresholds == [1, 1.25]


def test_location_quotients_skip_undefined_ones():
    figure = json.loads(charts.location_quotients([indicator("25", 0, None, False)]))
    assert figure["data"][0]["x"] == []


def test_long_labels_are_shortened():
    label = "Fabrication de machines et équipements non classés ailleurs, etc."
    figure = json.loads(
        charts.employees_by_sector([indicator("28", 10, 1, False, label)], title="t")
    )
    assert figure["data"][0]["y"][0].endswith("…")
    assert len(figure["data"][0]["y"][0]) == len("28 — ") + 45


def test_survival_line_is_in_percent_on_a_second_axis():
    cohorts = metrics.creations_and_survival(
        {2024: (10, 8), 2025: (0, 0)}, last_year=2025, years=2
    )
    figure = json.loads(charts.creations_and_survival(cohorts))
    bars, line = figure["data"]
    assert bars["y"] == [10, 0]
    assert line["y"] == [80.0, None]
    assert line["yaxis"] == "y2"
    assert figure["layout"]["yaxis2"]["range"] == [0, 100]


def test_unemployment_shows_the_mean_only_when_known():
    points = [{"quarter": "2023-T3", "rate": 6.5, "average": None}]
    assert len(json.loads(charts.unemployment(points, basin_name="X"))["data"]) == 1
    points[0]["average"] = 7.2
    figure = json.loads(charts.unemployment(points, basin_name="Grenoble"))
    assert [trace["name"] for trace in figure["data"]] == [
        "Grenoble",
        "Moyenne des zones d'emploi",
    ]


def test_hiring_writes_the_difficulty_rate_next_to_each_bar():
    families = [
        {"label": "Industrie", "projects": 400.0, "difficulty_rate": 0.625},
        {"label": "Secret", "projects": None, "difficulty_rate": None},
    ]
    figure = json.loads(charts.hiring(families, year=2024))
    assert figure["data"][0]["text"] == ["62 % difficiles"]
    assert "2024" in figure["layout"]["title"]["text"]


def test_figures_use_french_number_separators():
    figure = json.loads(charts.population([{"year": 2020, "population": 1234}]))
    assert figure["layout"]["separators"] == ", "


def test_figures_have_no_mode_bar():
    # Its buttons would be focusable controls inside a role="img" container.
    figure = json.loads(charts.population([{"year": 2020, "population": 1}]))
    assert figure["config"]["displayModeBar"] is False
