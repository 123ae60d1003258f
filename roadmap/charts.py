"""Plotly figure specs for the roadmap pages, built from plain data.

No ORM here: callers pass lists of dicts or tuples, and get back the figure
(data, layout and config) as a JSON string, ready for ``json_script`` and
drawn by static/js/app.js (never ``to_html()``, which emits inline scripts).

The figures are plain dicts in Plotly's JSON schema, not ``go.Figure``
objects: building and validating a Figure costs ~50 ms of CPU per chart,
which the overview page paid four or five times per request.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from plotly.io.json import to_json_plotly

# DSFR palette: bleu France for the plan, rouge Marianne for what happened.
TARGET_COLOUR = "#000091"
MEASURE_COLOUR = "#c9191e"
GRID_COLOUR = "#dddddd"
# Status colours of the progress chart; the status is also written in the
# bar's text, never shown by colour alone.
STATUS_COLOURS = {
    "draft": "#666666",
    "submitted": "#0063cb",
    "validated": "#18753c",
    "returned": "#b34000",
}
DEFAULT_STATUS_COLOUR = "#666666"

Number = int | float | Decimal
# No mode bar: its buttons would be focusable controls inside the chart's
# role="img" container (axe: nested-interactive); each chart has a text
# alternative with its figures. app.js passes "config" to Plotly.newPlot.
CONFIG = {"displayModeBar": False, "locale": "fr"}


def _to_json(*, data: list[dict], layout: dict) -> str:
    """Data, layout and config, as app.js expects them."""
    return to_json_plotly({"data": data, "layout": layout, "config": CONFIG})


def _number(value: Number | None) -> float | None:
    return None if value is None else float(value)


def format_number(value: Number | None) -> str:
    """French rendering: 1 234,5 (narrow no-break space, decimal comma)."""
    if value is None:
        return "—"
    number = float(value)
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _with_unit(value: Number | None, unit: str) -> str:
    text = format_number(value)
    return f"{text} {unit}".strip() if value is not None and unit else text


def _base_layout(*, title: str, height: int) -> dict:
    return {
        # An empty template keeps the JSON small (the default one is ~10 kB).
        "template": {},
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "Marianne, Arial, sans-serif", "size": 13},
        # Decimal comma and thin-space thousands, as in French.
        "separators": ", ",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.2},
    }


def _sorted_measurements(
    measurements: Iterable[Mapping | Sequence],
) -> list[tuple[date, float]]:
    points = []
    for measurement in measurements:
        if isinstance(measurement, Mapping):
            measured_on, value = measurement["measured_on"], measurement["value"]
        else:
            measured_on, value = measurement[0], measurement[1]
        points.append((measured_on, float(value)))
    return sorted(points, key=lambda point: point[0])


def indicator_summary(
    *,
    name: str,
    unit: str = "",
    baseline: Number | None = None,
    target: Number | None = None,
    target_date: date | None = None,
    measurements: Iterable[Mapping | Sequence] = (),
) -> str:
    """One French sentence describing the chart, for screen readers."""
    points = _sorted_measurements(measurements)
    parts = [f"{name} :"]
    parts.append(f"valeur de référence {_with_unit(baseline, unit)}")
    if target is not None and target_date is not None:
        parts.append(f"cible {_with_unit(target, unit)} au {format_date(target_date)}")
    else:
        parts.append("aucune cible datée")
    if points:
        last_on, last_value = points[-1]
        parts.append(
            f"{len(points)} mesure{'s' if len(points) > 1 else ''}, "
            f"la dernière {_with_unit(last_value, unit)} le {format_date(last_on)}"
        )
    else:
        parts.append("aucune mesure")
    return parts[0] + " " + ", ".join(parts[1:]) + "."


def indicator_figure(
    *,
    name: str,
    unit: str = "",
    baseline: Number | None = None,
    baseline_date: date | None = None,
    target: Number | None = None,
    target_date: date | None = None,
    measurements: Iterable[Mapping | Sequence] = (),
) -> str:
    """Target path (baseline at baseline_date to target at target_date) vs
    dated measurements, as Figure JSON.

    ``measurements`` holds ``{"measured_on": date, "value": number}`` dicts or
    ``(date, value)`` tuples, in any order. Without a baseline the target path
    is a single point at the target date; without a target it is omitted.
    """
    points = _sorted_measurements(measurements)
    axis_title = f"Valeur ({unit})" if unit else "Valeur"
    hover_unit = f" {unit}" if unit else ""
    data = []
    if target is not None and target_date is not None:
        xs, ys = [], []
        if baseline is not None and baseline_date is not None:
            xs.append(baseline_date)
            ys.append(_number(baseline))
        xs.append(target_date)
        ys.append(_number(target))
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "name": "Trajectoire cible",
                "mode": "lines+markers",
                "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
                "marker": {"symbol": "diamond", "size": 9, "color": TARGET_COLOUR},
                "hovertemplate": (
                    f"Cible : %{{y}}{hover_unit}<br>%{{x|%d/%m/%Y}}<extra></extra>"
                ),
            }
        )
    elif baseline is not None and baseline_date is not None:
        data.append(
            {
                "type": "scatter",
                "x": [baseline_date],
                "y": [_number(baseline)],
                "name": "Valeur de référence",
                "mode": "markers",
                "marker": {"symbol": "diamond", "size": 9, "color": TARGET_COLOUR},
                "hovertemplate": (
                    f"Référence : %{{y}}{hover_unit}<br>%{{x|%d/%m/%Y}}<extra></extra>"
                ),
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": [point[0] for point in points],
            "y": [point[1] for point in points],
            "name": "Mesures",
            "mode": "lines+markers",
            "line": {"color": MEASURE_COLOUR, "width": 2},
            "marker": {"symbol": "circle", "size": 8, "color": MEASURE_COLOUR},
            "hovertemplate": (
                f"Mesure : %{{y}}{hover_unit}<br>%{{x|%d/%m/%Y}}<extra></extra>"
            ),
        }
    )
    layout = _base_layout(title=name, height=360)
    layout["xaxis"] = {
        "title": {"text": "Date"},
        "type": "date",
        # Numeric dates: no month names, which would need plotly's locale file.
        "tickformat": "%m/%Y",
        "gridcolor": GRID_COLOUR,
    }
    layout["yaxis"] = {
        "title": {"text": axis_title},
        "gridcolor": GRID_COLOUR,
        "rangemode": "tozero",
    }
    if not points and not data[:-1]:
        layout["annotations"] = [
            {
                "text": "Ni cible ni mesure saisie",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
            }
        ]
    return _to_json(data=data, layout=layout)


def stage_progress_figure(
    *, stages: Iterable[Mapping], title: str = "Avancement des six étapes"
) -> str:
    """Horizontal bars of each stage's progress (0-100 %), as Figure JSON.

    ``stages`` holds dicts with ``label``, ``progress`` (0-100 or None),
    ``status`` (a StageStatus value) and ``status_label`` (its French name).
    Stages keep the given order, first at the top.
    """
    rows = list(stages)
    labels = [row["label"] for row in rows]
    values = [max(0.0, min(100.0, float(row.get("progress") or 0))) for row in rows]
    texts = [
        f"{format_number(value)} % — {row['status_label']}"
        for value, row in zip(values, rows, strict=True)
    ]
    colours = [
        STATUS_COLOURS.get(row.get("status"), DEFAULT_STATUS_COLOUR) for row in rows
    ]
    bar = {
        "type": "bar",
        "x": values,
        "y": labels,
        "orientation": "h",
        "text": texts,
        "textposition": "auto",
        "marker": {"color": colours},
        "hovertemplate": "%{y} : %{text}<extra></extra>",
        "name": "Avancement",
    }
    layout = _base_layout(title=title, height=80 + 45 * max(len(rows), 1))
    layout["showlegend"] = False
    layout["margin"] = {"l": 230, "r": 20, "t": 60, "b": 40}
    layout["xaxis"] = {
        "title": {"text": "Avancement (%)"},
        "range": [0, 100],
        "ticksuffix": " %",
        "gridcolor": GRID_COLOUR,
    }
    # Plotly draws the first category at the bottom; reverse to read top-down.
    layout["yaxis"] = {"autorange": "reversed", "automargin": True}
    return _to_json(data=[bar], layout=layout)


def stage_progress_summary(*, stages: Iterable[Mapping]) -> str:
    """French text alternative of the progress chart."""
    parts = [
        f"{row['label']} : {format_number(row.get('progress') or 0)} % "
        f"({row['status_label']})"
        for row in stages
    ]
    return "Avancement par étape — " + " ; ".join(parts) + "."
