"""Plotly figures of the prefecture dashboard, built from plain data.

No ORM: callers pass dicts, and get the figure as ``Figure.to_json()`` for
``json_script`` (drawn by static/js/app.js). Each figure has a French text
summary for its ``aria-label``; the tables next to the charts hold the same
numbers.
"""

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from roadmap.charts import CONFIG
from roadmap.dashboard.alerts import format_number

BLUE = "#000091"
RED = "#c9191e"
GREY = "#666666"


def _to_json(figure: go.Figure) -> str:
    """Data, layout and config (no mode bar: its buttons would be focusable
    controls inside the chart's role="img" container)."""
    return to_json_plotly({**figure.to_plotly_json(), "config": CONFIG})


def _layout(*, title: str, height: int, **axes) -> dict:
    return {
        "template": go.layout.Template(),
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "Marianne, Arial, sans-serif", "size": 13},
        "separators": ", ",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.25},
        **axes,
    }


def jobs_per_thousand_figure(rows: Sequence[Mapping]) -> str:
    """Jobs created and target per 1,000 inhabitants, one bar pair per basin.

    ``rows``: {"name", "jobs", "target"} (per 1,000 inhabitants; None when
    unknown).
    """
    names = [row["name"] for row in rows]
    figure = go.Figure(
        data=[
            go.Bar(
                name="Emplois créés pour 1 000 habitants",
                x=names,
                y=[row["jobs"] for row in rows],
                marker={"color": RED},
                hovertemplate=(
                    "%{x} : %{y:.2f} emplois créés pour 1 000 hab.<extra></extra>"
                ),
            ),
            go.Bar(
                name="Cible pour 1 000 habitants",
                x=names,
                y=[row["target"] for row in rows],
                marker={"color": BLUE, "pattern": {"shape": "/"}},
                hovertemplate="%{x} : cible de %{y:.2f} pour 1 000 hab.<extra></extra>",
            ),
        ],
        layout=_layout(
            title="Emplois créés et cible, pour 1 000 habitants",
            height=420,
            barmode="group",
            yaxis={"title": {"text": "pour 1 000 habitants"}, "gridcolor": "#dddddd"},
            xaxis={"tickangle": -45},
        ),
    )
    return _to_json(figure)


def jobs_per_thousand_summary(rows: Sequence[Mapping]) -> str:
    known = [row for row in rows if row["jobs"] is not None]
    if not known:
        return "Aucune mesure d'emplois créés pour ces bassins."
    best = max(known, key=lambda row: row["jobs"])
    return (
        f"Emplois créés pour 1 000 habitants dans {len(known)} bassins ; "
        f"le plus élevé : {best['name']} ({format_number(best['jobs'], 2)})."
    )


def unemployment_vs_jobs_figure(rows: Sequence[Mapping]) -> str:
    """One point per basin: change of the unemployment rate over a year
    (points) against jobs created per 1,000 inhabitants.

    ``rows``: {"name", "change", "jobs"}; rows missing either are skipped.
    """
    points = [
        row for row in rows if row["change"] is not None and row["jobs"] is not None
    ]
    figure = go.Figure(
        data=[
            go.Scatter(
                name="Bassins",
                mode="markers",
                x=[float(row["change"]) for row in points],
                y=[row["jobs"] for row in points],
                text=[row["name"] for row in points],
                marker={"color": BLUE, "size": 9, "symbol": "circle"},
                hovertemplate=(
                    "%{text}<br>Chômage : %{x:+.1f} point sur un an"
                    "<br>%{y:.2f} emplois créés pour 1 000 hab.<extra></extra>"
                ),
            )
        ],
        layout=_layout(
            title="Évolution du chômage sur un an et emplois créés",
            height=420,
            xaxis={
                "title": {
                    "text": "évolution du taux de chômage (points, 4 trimestres)"
                },
                "zeroline": True,
                "zerolinecolor": GREY,
                "gridcolor": "#dddddd",
            },
            yaxis={
                "title": {"text": "emplois créés pour 1 000 habitants"},
                "gridcolor": "#dddddd",
            },
        ),
    )
    return _to_json(figure)


def unemployment_vs_jobs_summary(rows: Sequence[Mapping]) -> str:
    points = [
        row for row in rows if row["change"] is not None and row["jobs"] is not None
    ]
    if not points:
        return "Pas assez de données pour comparer chômage et emplois créés."
    falling = sum(1 for row in points if row["change"] < 0)
    return (
        f"{len(points)} bassins comparés : le chômage a baissé sur un an dans "
        f"{falling} d'entre eux."
    )
