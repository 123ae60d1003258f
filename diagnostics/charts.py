"""Plotly figures of the basin diagnostic: pure functions, data in, JSON out.

Each builder takes plain numbers and returns the figure as JSON (data,
layout and config), ready for ``json_script`` and ``static/js/app.js``.
Nothing here reads the database.
Status is never shown by colour alone: specialisations also carry a text
label and a hatch pattern, and every chart has a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from diagnostics import metrics

BLUE = "#000091"  # DSFR "bleu France"
LIGHT_BLUE = "#6a6af4"
RED = "#c9191e"
GREY = "#929292"
FONT = "Marianne, arial, sans-serif"
SPECIALISATION_TEXT = "Spécialisation"
NOT_SIGNIFICANT_TEXT = "non significatif"
GENERATED_TITLE = " — données de démonstration (générées)"
# No mode bar: its buttons would be focusable controls inside a role="img"
# container, and every figure has a table with the same numbers next to it.
CONFIG = {"displayModeBar": False, "locale": "fr"}


def _layout(fig: go.Figure, *, title: str, height: int = 380, **axes) -> str:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        separators=", ",  # French decimal comma and thin thousands separator
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
        **axes,
    )
    fig.update_xaxes(automargin=True, gridcolor="#e5e5e5")
    fig.update_yaxes(automargin=True, gridcolor="#e5e5e5")
    return to_json_plotly({**fig.to_plotly_json(), "config": CONFIG})


def _short(label: str, length: int = 45) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def employees_by_sector(
    indicators: Sequence[metrics.SectorIndicator], *, title: str
) -> str:
    """Horizontal bars: estimated employees of each sector, largest on top."""
    rows = list(reversed(indicators))
    fig = go.Figure(
        go.Bar(
            x=[round(i.employees) for i in rows],
            y=[f"{i.code} — {_short(i.label)}" for i in rows],
            orientation="h",
            marker_color=BLUE,
            customdata=[i.establishments for i in rows],
            hovertemplate="%{y}<br>%{x} salariés estimés"
            "<br>%{customdata} établissements actifs<extra></extra>",
        )
    )
    return _layout(
        fig,
        title=title,
        height=max(300, 28 * len(rows) + 90),
        xaxis_title="Salariés estimés",
    )


def location_quotients(
    indicators: Sequence[metrics.SectorIndicator],
    *,
    threshold: float = metrics.SPECIALISATION_THRESHOLD,
    title_suffix: str = "",
) -> str:
    """Location quotient of each sector, with the specialisation threshold.

    Specialisations are darker, hatched, and labelled in text; a quotient
    that fails the reliability rule is grey and labelled "non significatif".
    """
    rows = [i for i in reversed(indicators) if i.location_quotient is not None]

    def colour(indicator):
        if indicator.specialised:
            return BLUE
        return LIGHT_BLUE if indicator.robust else GREY

    def text(indicator):
        if indicator.specialised:
            return SPECIALISATION_TEXT
        return "" if indicator.robust else NOT_SIGNIFICANT_TEXT

    fig = go.Figure(
        go.Bar(
            x=[round(i.location_quotient, 2) for i in rows],
            y=[f"{i.code} — {_short(i.label)}" for i in rows],
            orientation="h",
            marker={
                "color": [colour(i) for i in rows],
                "pattern": {"shape": ["/" if i.specialised else "" for i in rows]},
            },
            customdata=[i.establishments for i in rows],
            text=[text(i) for i in rows],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>Indice de spécificité : %{x}"
            "<br>%{customdata} établissements actifs<extra></extra>",
        )
    )
    # Room on the right for the longest bar's label.
    longest = max([i.location_quotient for i in rows] + [threshold])
    fig.update_xaxes(range=[0, longest * 1.3])
    fig.add_vline(x=1, line_dash="dot", line_color=GREY)
    fig.add_vline(
        x=threshold,
        line_dash="dash",
        line_color=RED,
        annotation_text=f"seuil {str(threshold).replace('.', ',')}",
        annotation_position="top",
    )
    return _layout(
        fig,
        title="Indice de spécificité par division (1 = moyenne nationale)"
        + title_suffix,
        height=max(300, 28 * len(rows) + 110),
        xaxis_title="Indice de spécificité",
    )


def size_structure(rows: Sequence[metrics.SizeClass], *, title_suffix: str = "") -> str:
    """Establishments and estimated employees by size class."""
    classes = [row.size for row in rows]
    fig = go.Figure(
        [
            go.Bar(
                name="Établissements actifs",
                x=classes,
                y=[row.establishments for row in rows],
                marker_color=LIGHT_BLUE,
                text=[row.establishments for row in rows],
                textposition="outside",
            ),
            go.Bar(
                name="Salariés estimés",
                x=classes,
                y=[round(row.employees) for row in rows],
                marker_color=BLUE,
                marker_pattern_shape="x",
                text=[round(row.employees) for row in rows],
                textposition="outside",
            ),
        ]
    )
    return _layout(
        fig, title="Taille des établissements" + title_suffix, barmode="group"
    )


def creations_and_survival(
    cohorts: Sequence[metrics.CohortSurvival], *, title_suffix: str = ""
) -> str:
    """Creations per year (bars) and share still active (line, right axis)."""
    years = [str(c.year) for c in cohorts]
    fig = go.Figure(
        [
            go.Bar(
                name="Établissements créés",
                x=years,
                y=[c.created for c in cohorts],
                marker_color=LIGHT_BLUE,
            ),
            go.Scatter(
                name="Part encore active (%)",
                x=years,
                y=[
                    None
                    if c.survival_share is None
                    else round(100 * c.survival_share, 1)
                    for c in cohorts
                ],
                yaxis="y2",
                mode="lines+markers",
                line={"color": BLUE, "width": 3},
                marker={"symbol": "diamond", "size": 9},
            ),
        ]
    )
    return _layout(
        fig,
        title="Créations d'établissements et part encore active" + title_suffix,
        yaxis={"title": {"text": "Créations"}},
        yaxis2={
            "title": {"text": "Encore actifs (%)"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 100],
            "tickmode": "linear",
            "dtick": 20,
            "showgrid": False,
        },
    )


def unemployment(points: Sequence[dict], *, basin_name: str) -> str:
    """Quarterly unemployment rate of the basin and of all zones (mean)."""
    quarters = [p["quarter"] for p in points]
    traces = [
        go.Scatter(
            name=basin_name,
            x=quarters,
            y=[p["rate"] for p in points],
            mode="lines",
            line={"color": BLUE, "width": 3},
        )
    ]
    if any(p["average"] is not None for p in points):
        traces.append(
            go.Scatter(
                name="Moyenne des zones d'emploi",
                x=quarters,
                y=[p["average"] for p in points],
                mode="lines",
                line={"color": GREY, "width": 2, "dash": "dash"},
            )
        )
    fig = go.Figure(traces)
    return _layout(
        fig,
        title="Taux de chômage localisé (%, données CVS)",
        yaxis_title="%",
        hovermode="x unified",
    )


def population(points: Sequence[dict]) -> str:
    """Population at each census year."""
    fig = go.Figure(
        go.Scatter(
            x=[p["year"] for p in points],
            y=[p["population"] for p in points],
            mode="lines+markers",
            line={"color": BLUE, "width": 3},
            name="Population",
        )
    )
    return _layout(fig, title="Population aux recensements", yaxis_title="Habitants")


def hiring(families: Sequence[dict], *, year: int | None) -> str:
    """Hiring projects by occupation family, difficulty rate as text."""
    rows = [f for f in reversed(families) if f["projects"] is not None]
    fig = go.Figure(
        go.Bar(
            x=[round(f["projects"]) for f in rows],
            y=[_short(f["label"]) for f in rows],
            orientation="h",
            marker_color=BLUE,
            text=[
                ""
                if f["difficulty_rate"] is None
                else f"{round(100 * f['difficulty_rate'])} % difficiles"
                for f in rows
            ],
            textposition="outside",
            cliponaxis=False,
        )
    )
    return _layout(
        fig,
        title=f"Projets de recrutement {year or ''} par famille de métiers".strip(),
        height=max(300, 28 * len(rows) + 90),
        xaxis_title="Projets de recrutement",
    )


def diagnostic_figures(diagnostic) -> dict[str, str]:
    """Every figure of a BasinDiagnostic (plain data), keyed by block."""
    figures = {}
    if diagnostic.has_establishments:
        # Figures from the demo generator's stock say so in their title.
        suffix = GENERATED_TITLE if diagnostic.sirene_source.generated else ""
        figures["sections"] = employees_by_sector(
            diagnostic.sections, title="Salariés estimés par section NAF" + suffix
        )
        figures["divisions"] = employees_by_sector(
            diagnostic.divisions,
            title="Salariés estimés par division NAF (15 premières)" + suffix,
        )
        figures["quotients"] = location_quotients(
            diagnostic.divisions, title_suffix=suffix
        )
        figures["sizes"] = size_structure(
            diagnostic.size_structure, title_suffix=suffix
        )
        figures["cohorts"] = creations_and_survival(
            diagnostic.cohorts, title_suffix=suffix
        )
    if diagnostic.unemployment:
        figures["unemployment"] = unemployment(
            diagnostic.unemployment, basin_name=diagnostic.basin.name
        )
    if diagnostic.population:
        figures["population"] = population(diagnostic.population)
    if diagnostic.hiring:
        figures["hiring"] = hiring(diagnostic.hiring, year=diagnostic.hiring_year)
    return figures
