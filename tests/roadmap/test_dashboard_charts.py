"""Figures of the dashboard (pure builders)."""

import json
from decimal import Decimal

from roadmap.dashboard import charts as dashboard_charts

ROWS = [
    {"name": "Grenoble", "jobs": 0.75, "target": 1.5, "change": Decimal("-0.7")},
    {"name": "Oyonnax", "jobs": 1.5, "target": 2.0, "change": Decimal("0.3")},
    {"name": "Figeac", "jobs": None, "target": None, "change": None},
]


def test_jobs_figure_has_one_bar_pair_per_basin_and_no_mode_bar():
    figure = json.loads(dashboard_charts.jobs_per_thousand_figure(ROWS))
    jobs, target = figure["data"]
    assert jobs["x"] == ["Grenoble", "Oyonnax", "Figeac"]
    assert jobs["y"] == [0.75, 1.5, None]
    assert target["y"] == [1.5, 2.0, None]
    assert figure["config"]["displayModeBar"] is False


def test_jobs_summary_names_the_highest_basin():
    summary = dashboard_charts.jobs_per_thousand_summary(ROWS)
    assert summary == (
        "Emplois créés pour 1 000 habitants dans 2 bassins ; "
        "le plus élevé : Oyonnax (1,50)."
    )
    assert "Aucune mesure" in dashboard_charts.jobs_per_thousand_summary(ROWS[2:])


def test_scatter_skips_basins_without_both_values():
    figure = json.loads(dashboard_charts.unemployment_vs_jobs_figure(ROWS))
    (points,) = figure["data"]
    assert points["text"] == ["Grenoble", "Oyonnax"]
    assert points["x"] == [-0.7, 0.3]
    summary = dashboard_charts.unemployment_vs_jobs_summary(ROWS)
    assert summary == (
        "2 bassins comparés : le chômage a baissé sur un an dans 1 d'entre eux."
    )
