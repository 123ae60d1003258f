"""The prefecture dashboard: stage matrix, indicators, alerts, review queue,
exports.

Reviewers see the basins of their department or region, admins every basin.
Committee members (and users with no prefecture role) get a 403: their own
basin's roadmap overview already shows them everything the dashboard would.
"""

from functools import wraps

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roadmap import exports
from roadmap.dashboard import selectors as dashboard
from roadmap.dashboard.forms import DepartmentFilterForm, MatrixFilterForm
from roadmap.dashboard.pages import AlertsPage, HomePage, IndicatorsPage, QueuePage
from roadmap.enums import StageKind
from roadmap.formatting import naive_local
from roadmap.views.common import attachment, partial_template

FORBIDDEN = (
    "Le tableau de bord est réservé aux référents des préfectures et aux "
    "administrateurs. Retrouvez votre feuille de route depuis la page de votre "
    "bassin."
)


def reviewers_only(view):
    """403 with a French message for users without a prefecture role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.roles.can_use_dashboard:
            return render(
                request, "roadmap/forbidden.html", {"message": FORBIDDEN}, status=403
            )
        return view(request, *args, **kwargs)

    return wrapper


def _render(request, template, partial, page_class):
    """The page, or its ``partial`` for an HTMX request (filters, pages)."""
    page = page_class(
        roles=request.roles, params=request.GET, today=timezone.localdate()
    )
    return render(request, partial_template(request, template, partial), {"dash": page})


@require_GET
@reviewers_only
def dashboard_home(request):
    return _render(request, "roadmap/dashboard_home_body.html", "matrix", HomePage)


@require_GET
@reviewers_only
def dashboard_queue(request):
    return _render(request, "roadmap/dashboard_queue_body.html", "queue", QueuePage)


@require_GET
@reviewers_only
def dashboard_alerts(request):
    return _render(request, "roadmap/dashboard_alerts_body.html", "alerts", AlertsPage)


@require_GET
@reviewers_only
def dashboard_indicators(request):
    return _render(
        request,
        "roadmap/dashboard_indicators_body.html",
        "indicators",
        IndicatorsPage,
    )


# --- Exports -------------------------------------------------------------------------


def _matrix_table(request):
    basins = dashboard.dashboard_basins(user=request.user)
    form = MatrixFilterForm(
        request.GET, departments=dashboard.department_choices(basins=basins)
    )
    basins = list(
        dashboard.matrix_basins(
            user=request.user, filters=form.filters()
        ).prefetch_related("departments")
    )
    rows = dashboard.build_rows(
        basins=basins,
        alert_counts={},
        today=timezone.localdate(),
    )
    headers = [
        "Code",
        "Bassin d'emploi",
        "Départements",
        "Feuille de route",
        "Plus ancienne soumission en attente",
        "Dernière modification",
    ]
    for number, label in StageKind.choices:
        headers += [
            f"Étape {number} ({label}) — statut",
            f"Étape {number} — avancement (%)",
            f"Étape {number} — dernière modification",
        ]
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
    return "Matrice des étapes", headers, table


def _indicator_table(request):
    basins = dashboard.dashboard_basins(user=request.user)
    form = DepartmentFilterForm(
        request.GET, departments=dashboard.department_choices(basins=basins)
    )
    rows = dashboard.basin_indicators(
        user=request.user, department=form.selected_department()
    )
    headers = [
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
    table = [
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
        for row in rows
    ]
    return "Indicateurs des bassins", headers, table


def _rounded(value, digits=1):
    return None if value is None else round(value, digits)


def _xlsx(title, headers, rows, filename):
    table = exports.Table(title=title, headers=headers, rows=rows)
    return attachment(
        exports.table_xlsx(table), content_type=exports.XLSX_TYPE, filename=filename
    )


def _csv(title, headers, rows, filename):
    table = exports.Table(title=title, headers=headers, rows=rows)
    return attachment(
        exports.with_bom(exports.table_csv(table)),
        content_type=exports.CSV_TYPE,
        filename=filename,
    )


def _filename(stem, extension):
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_GET
@reviewers_only
def matrix_xlsx(request):
    return _xlsx(*_matrix_table(request), _filename("matrice-des-etapes", "xlsx"))


@require_GET
@reviewers_only
def matrix_csv(request):
    return _csv(*_matrix_table(request), _filename("matrice-des-etapes", "csv"))


@require_GET
@reviewers_only
def indicators_xlsx(request):
    return _xlsx(
        *_indicator_table(request), _filename("indicateurs-des-bassins", "xlsx")
    )


@require_GET
@reviewers_only
def indicators_csv(request):
    return _csv(*_indicator_table(request), _filename("indicateurs-des-bassins", "csv"))
