"""The dashboard's tables as spreadsheets (roadmap.exports.Table): the stage
matrix and the basins' indicators, filtered like the page they come from."""

from roadmap.dashboard import selectors as dashboard
from roadmap.dashboard.pages import HomePage, IndicatorsPage
from roadmap.enums import StageKind
from roadmap.exports import Table
from roadmap.formatting import naive_local

MATRIX_HEADERS = [
    "Code",
    "Bassin d'emploi",
    "Départements",
    "Feuille de route",
    "Plus ancienne soumission en attente",
    "Dernière modification",
]
for number, label in StageKind.choices:
    MATRIX_HEADERS += [
        f"Étape {number} ({label}) — statut",
        f"Étape {number} — avancement (%)",
        f"Étape {number} — dernière modification",
    ]
INDICATOR_HEADERS = [
    "Code",
    "Bassin d'emploi",
    "Population",
    "Source de la population",
    "Emplois créés (dernière mesure)",
    "Date de la mesure",
    "Cible d'emplois créés",
    "Part de la cible atteinte (%)",
    "Emplois créés pour 1 000 habitants",
    "Part d'achats locaux (%)",
    "Trimestre du taux de chômage",
    "Taux de chômage (%)",
    "Évolution sur un an (points)",
]


def matrix_table(page: HomePage) -> Table:
    """Every basin of the filtered matrix (not one page of it)."""
    basins = dashboard.matrix_basins(user=page.user, filters=page.form.filters())
    rows = dashboard.build_rows(
        basins=list(basins.prefetch_related("departments")),
        alert_counts={},
        today=page.today,
    )
    table = []
    for row in rows:
        line = [
            row.basin.code,
            row.basin.name,
            ", ".join(d.code for d in row.basin.departments.all()),
            row.roadmap_title,
            naive_local(row.oldest_pending),
            naive_local(row.last_change),
        ]
        for cell in row.cells:
            if cell is None:
                line += [None, None, None]
            else:
                line += [
                    cell.stage.get_status_display(),
                    cell.progress,
                    naive_local(cell.last_change),
                ]
        table.append(line)
    return Table(title="Matrice des étapes", headers=MATRIX_HEADERS, rows=table)


def _rounded(value, digits=1):
    return None if value is None else round(value, digits)


def indicator_table(page: IndicatorsPage) -> Table:
    rows = [
        [
            row.code,
            row.name,
            row.population,
            row.population_source,
            row.jobs_created,
            row.jobs_measured_on,
            row.jobs_target,
            _rounded(row.target_reached_pct),
            _rounded(row.jobs_per_thousand, 3),
            row.local_purchasing_pct,
            row.unemployment.quarter if row.unemployment else None,
            row.unemployment.rate if row.unemployment else None,
            row.unemployment.change if row.unemployment else None,
        ]
        for row in page.rows
    ]
    return Table(title="Indicateurs des bassins", headers=INDICATOR_HEADERS, rows=rows)
