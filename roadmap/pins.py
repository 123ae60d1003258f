"""Figures of the automatic diagnostic that a committee may pin: pure functions.

They take a :class:`diagnostics.selectors.BasinDiagnostic` (plain data: lists,
dicts, numbers and unsaved-or-saved ``ImportRun`` rows for the sources) and
return French text, with no database access. Each figure has a stable key
(``lq:25``, ``unemployment:last``, ``dependence:top5`` ...): the browser only
ever sends a key, the label, value and source are always recomputed here from
the current diagnostic. Only findings are offered: a share, quotient, size
class, dependence or survival figure that fails the reliability rule of
:mod:`diagnostics.metrics` is not pinnable. The source names the producer,
the vintage, the import ("import n° 12", linked on the pages) and the rows
used, and starts with "Données de démonstration (générées)" when the data is.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnostics import metrics
from diagnostics.templatetags.diagnostic_format import decimal, percent, whole

TOP_DIVISIONS = 5
TOP_DIFFICULT_FAMILIES = 5
SURVIVAL_AFTER_YEARS = 3
NO_TRACE = "import inconnu (données chargées sans trace d'import)"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str
    source: str

    @property
    def dom_id(self) -> str:
        return "figure-" + self.key.replace(":", "-")


@dataclass(frozen=True)
class FigureGroup:
    """A block of the diagnostic: its figures, or why it has none."""

    slug: str
    title: str
    source: str
    figures: list[Figure]
    missing: str = ""


SOURCE_MAX_LENGTH = 500  # PinnedFigure.source


def source_text(source) -> str:
    """The source of a block as one sentence (diagnostics.selectors.Source)."""
    text = source.text or NO_TRACE
    if len(text) > SOURCE_MAX_LENGTH:
        text = text[: SOURCE_MAX_LENGTH - 1] + "…"
    return text


def _sirene_groups(diagnostic) -> list[FigureGroup]:
    source = source_text(diagnostic.sirene_source)
    missing = "le stock d'établissements SIRENE n'a pas encore été importé."
    if not diagnostic.has_establishments:
        return [
            FigureGroup("activity", "Tissu économique", source, [], missing),
        ]
    activity = [
        Figure(
            "establishments",
            "Établissements actifs localisés dans le bassin",
            whole(diagnostic.establishments),
            source,
        ),
        Figure(
            "employees",
            "Salariés estimés (milieu de la tranche d'effectif SIRENE)",
            whole(diagnostic.employees),
            source,
        ),
    ]
    for item in [i for i in diagnostic.divisions if i.robust][:TOP_DIVISIONS]:
        activity.append(
            Figure(
                f"division:{item.code}",
                f"Salariés estimés de la division {item.code} — {item.label}",
                f"{whole(item.employees)} ({percent(item.employees_share)} "
                "des salariés du bassin)",
                source,
            )
        )
    specialisations = [
        Figure(
            f"lq:{item.code}",
            f"Indice de spécificité de la division {item.code} — {item.label}",
            f"LQ {decimal(item.location_quotient)}, ajusté "
            f"{decimal(item.adjusted_quotient)} ({whole(item.employees)} salariés "
            f"estimés, {whole(item.establishments)} établissements)",
            source,
        )
        for item in diagnostic.specialisations
    ]
    sizes = [
        Figure(
            f"size:{row.size}",
            f"Part des salariés estimés — {metrics.SIZE_CLASS_LABELS[row.size]}",
            f"{percent(row.employees_share)} ({whole(row.establishments)} "
            "établissements)",
            source,
        )
        for row in diagnostic.size_structure
        if row.establishments and row.robust
    ]
    for top, share, caution in (
        (5, diagnostic.dependence_5, diagnostic.dependence_5_caution),
        (10, diagnostic.dependence_10, diagnostic.dependence_10_caution),
    ):
        if share is not None and not caution:
            sizes.append(
                Figure(
                    f"dependence:top{top}",
                    f"Part des salariés estimés dans les {top} plus grands "
                    "établissements",
                    percent(share),
                    source,
                )
            )
    survival = []
    cohort_year = diagnostic.last_year - SURVIVAL_AFTER_YEARS
    for cohort in diagnostic.cohorts:
        if cohort.year == cohort_year and cohort.created and not cohort.caution:
            survival.append(
                Figure(
                    f"survival:{SURVIVAL_AFTER_YEARS}y",
                    f"Établissements créés en {cohort.year} encore actifs",
                    f"{percent(cohort.survival_share)} ({whole(cohort.still_active)} "
                    f"sur {whole(cohort.created)})",
                    source,
                )
            )
    return [
        FigureGroup("activity", "Tissu économique", source, activity),
        FigureGroup(
            "specialisations",
            "Spécialisations sectorielles",
            source,
            specialisations,
            "aucune division n'atteint le seuil de spécialisation (indice ajusté "
            f"≥ {decimal(metrics.SPECIALISATION_THRESHOLD)}, au moins "
            f"{whole(metrics.MIN_SPECIALISATION_EMPLOYEES)} salariés estimés et "
            f"{metrics.MIN_ESTABLISHMENTS} établissements, aucun n'en employant "
            f"{round(100 * metrics.MAX_DOMINANCE)}\u202f% ou plus).",
        ),
        FigureGroup("sizes", "Taille des établissements et dépendance", source, sizes),
        FigureGroup(
            "survival",
            "Pérennité",
            source,
            survival,
            f"trop peu d'établissements créés en {cohort_year} dans le stock "
            f"importé (au moins {metrics.MIN_COHORT}).",
        ),
    ]


def _unemployment_group(diagnostic) -> FigureGroup:
    source = source_text(diagnostic.unemployment_source)
    figures = []
    if diagnostic.unemployment:
        last = diagnostic.unemployment[-1]
        value = f"{decimal(last['rate'], 1)}\u202f%"
        if last.get("average") is not None:
            value += (
                f" (moyenne des zones d'emploi : {decimal(last['average'], 1)}\u202f%)"
            )
        figures.append(
            Figure(
                "unemployment:last",
                f"Taux de chômage localisé au trimestre {last['quarter']} (CVS)",
                value,
                source,
            )
        )
    return FigureGroup(
        "unemployment",
        "Chômage",
        source,
        figures,
        "les taux de chômage localisés de l'INSEE n'ont pas encore été importés.",
    )


def _population_group(diagnostic) -> FigureGroup:
    source = source_text(diagnostic.population_source)
    figures = []
    if diagnostic.population:
        last = diagnostic.population[-1]
        figures.append(
            Figure(
                "population:last",
                f"Population du bassin en {last['year']}",
                f"{whole(last['population'])} habitants",
                source,
            )
        )
    return FigureGroup(
        "population",
        "Population",
        source,
        figures,
        "les populations par zone d'emploi de l'INSEE n'ont pas encore été importées.",
    )


def _hiring_group(diagnostic) -> FigureGroup:
    source = source_text(diagnostic.hiring_source)
    figures = []
    year = diagnostic.hiring_year
    if diagnostic.hiring:
        totals = diagnostic.hiring_totals
        figures.append(
            Figure(
                "hiring:total",
                f"Projets de recrutement (enquête BMO {year})",
                f"{whole(totals.get('projects'))} projets, dont "
                f"{percent(totals.get('difficulty_rate'), 0)} jugés difficiles",
                source,
            )
        )
        rated = [
            family
            for family in diagnostic.hiring
            if family["code"] and family["difficulty_rate"] is not None
        ]
        rated.sort(key=lambda f: (-f["difficulty_rate"], -f["projects"], f["code"]))
        for family in rated[:TOP_DIFFICULT_FAMILIES]:
            figures.append(
                Figure(
                    f"bmo:{family['code']}",
                    f"Recrutements jugés difficiles (BMO {year}) — {family['label']}",
                    f"{percent(family['difficulty_rate'], 0)} de "
                    f"{whole(family['projects'])} projets",
                    source,
                )
            )
    title = f"Besoins en main-d'œuvre {year}" if year else "Besoins en main-d'œuvre"
    return FigureGroup(
        "hiring",
        title,
        source,
        figures,
        "l'enquête Besoins en main-d'œuvre de France Travail n'a pas encore été "
        "importée.",
    )


def figure_groups(diagnostic) -> list[FigureGroup]:
    """The pinnable figures of a basin diagnostic, block by block."""
    return [
        *_sirene_groups(diagnostic),
        _unemployment_group(diagnostic),
        _population_group(diagnostic),
        _hiring_group(diagnostic),
    ]


def pinnable_figures(diagnostic) -> dict[str, Figure]:
    """{key: figure} of every pinnable figure of the diagnostic."""
    return {
        figure.key: figure
        for group in figure_groups(diagnostic)
        for figure in group.figures
    }


def resolve(diagnostic, key: str) -> Figure | None:
    """The figure ``key`` names in the current diagnostic, or None."""
    return pinnable_figures(diagnostic).get(key)
