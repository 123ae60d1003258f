"""The prefecture dashboard: stage matrix, indicators, alerts, review queue,
exports.

Reviewers see the basins of their department or region, admins every basin.
Committee members (and users with no prefecture role) get a 403: their own
basin's roadmap overview already shows them everything the dashboard would.
"""

import csv
import hashlib
import io
from datetime import date, datetime
from decimal import Decimal
from functools import wraps

import tablib
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from roadmap import dashboard, dashboard_charts
from roadmap.alerts import AlertKind, count_by_kind
from roadmap.enums import StageKind
from roadmap.exports import escape_cell, escape_row
from roadmap.forms_dashboard import (
    AlertFilterForm,
    DepartmentFilterForm,
    MatrixFilterForm,
)

FORBIDDEN = (
    "Le tableau de bord est réservé aux référents des préfectures et aux "
    "administrateurs. Retrouvez votre feuille de route depuis la page de votre "
    "bassin."
)
CHART_BASINS = 25


def reviewers_only(view):
    """403 with a French message for users without a prefecture role; the
    view gets the user's scope key as ``request.dashboard_scope`` and the
    data stamp as ``request.dashboard_stamp`` (one query for both)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope, stamp = dashboard.scope_and_stamp(user=request.user)
        if scope is None:
            return render(
                request, "roadmap/forbidden.html", {"message": FORBIDDEN}, status=403
            )
        request.dashboard_scope = scope
        request.dashboard_stamp = stamp
        return view(request, *args, **kwargs)

    return wrapper


def cached_page(request, *, template, title, build, with_charts=False):
    """Render a dashboard page whose body is cached.

    The body (``template``, or its ``#partial`` for an HTMX request) depends
    only on the data, the user's scope and the query string: it is cached
    under those, the day and :func:`roadmap.dashboard.data_stamp`, which
    changes with every recorded write. ``build(today, stamp)`` returns the
    body's context on a miss. The page around it (header, CSRF token, CSP
    nonce, messages) is rendered for each request.
    """
    partial = template.partition("#")[2]
    if request.htmx and not request.htmx.boosted and not partial:
        partial = PARTIALS[template]
    today = timezone.localdate()
    stamp = request.dashboard_stamp
    key = (
        "roadmap:dashboard:page:v1:"
        + hashlib.sha256(
            "|".join(
                [
                    template,
                    partial,
                    request.dashboard_scope,
                    request.GET.urlencode(),
                    today.isoformat(),
                    stamp,
                ]
            ).encode()
        ).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        context = build(today, stamp)
        name = f"{template}#{partial}" if partial else template
        body = render_to_string(name, context, request=request)
        cache.set(key, body, dashboard.CACHE_TIMEOUT)
    if partial:
        return HttpResponse(body)
    return render(
        request,
        "roadmap/dashboard.html",
        {"title": title, "body": mark_safe(body), "with_charts": with_charts},  # noqa: S308
    )


PARTIALS = {
    "roadmap/dashboard_home_body.html": "matrix",
    "roadmap/dashboard_queue_body.html": "queue",
    "roadmap/dashboard_alerts_body.html": "alerts",
    "roadmap/dashboard_indicators_body.html": "indicators",
}


def _matrix_form(request):
    basins = dashboard.dashboard_basins(user=request.user)
    return MatrixFilterForm(
        request.GET, departments=dashboard.department_choices(basins=basins)
    )


@require_GET
@reviewers_only
def dashboard_home(request):
    user = request.user

    def build(today, stamp):
        form = _matrix_form(request)
        matrix = dashboard.stage_matrix(
            user=user,
            filters=form.filters(),
            page_number=request.GET.get("page"),
            today=today,
            stamp=stamp,
        )
        alerts = dashboard.scoped_alerts(user=user, today=today, stamp=stamp)
        queue = dashboard.review_queue(user=user)[: dashboard.QUEUE_PREVIEW]
        return {
            "form": form,
            "matrix": matrix,
            "page": matrix.page,
            "summary": dashboard.status_summary(user=user),
            "alert_counts": count_by_kind(alerts),
            "alert_total": len(alerts),
            "queue": dashboard.queue_entries(queue, today=today),
        }

    return cached_page(
        request,
        template="roadmap/dashboard_home_body.html",
        title="Tableau de bord de la préfecture",
        build=build,
    )


@require_GET
@reviewers_only
def dashboard_queue(request):
    def build(today, stamp):
        page = Paginator(dashboard.review_queue(user=request.user), 25).get_page(
            request.GET.get("page")
        )
        entries = dashboard.queue_entries(page.object_list, today=today)
        return {"page": page, "entries": entries}

    return cached_page(
        request,
        template="roadmap/dashboard_queue_body.html",
        title="File d'attente — tableau de bord",
        build=build,
    )


@require_GET
@reviewers_only
def dashboard_alerts(request):
    def build(today, stamp):
        form = AlertFilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        alerts = dashboard.scoped_alerts(
            user=request.user,
            today=today,
            kind=data.get("kind", ""),
            basin_code=data.get("basin", ""),
            stamp=stamp,
        )
        page = Paginator(alerts, 25).get_page(request.GET.get("page"))
        return {"form": form, "page": page, "kinds": list(AlertKind)}

    return cached_page(
        request,
        template="roadmap/dashboard_alerts_body.html",
        title="Alertes — tableau de bord",
        build=build,
    )


def _chart_rows(rows):
    return [
        {
            "name": row.name,
            "jobs": row.jobs_per_thousand,
            "target": row.jobs_target_per_thousand,
            "change": row.unemployment.change if row.unemployment else None,
        }
        for row in rows
    ]


@require_GET
@reviewers_only
def dashboard_indicators(request):
    def build(today, stamp):
        basins = dashboard.dashboard_basins(user=request.user)
        form = DepartmentFilterForm(
            request.GET, departments=dashboard.department_choices(basins=basins)
        )
        rows = dashboard.basin_indicators(
            user=request.user, department=form.selected_department()
        )
        page = Paginator(rows, 25).get_page(request.GET.get("page"))
        all_rows = _chart_rows(rows)
        # The bar chart compares the basins of the page; the scatter shows all.
        page_rows = _chart_rows(page.object_list)[:CHART_BASINS]
        return {
            "form": form,
            "page": page,
            "jobs_figure": dashboard_charts.jobs_per_thousand_figure(page_rows),
            "jobs_summary": dashboard_charts.jobs_per_thousand_summary(page_rows),
            "scatter_points": any(
                row["change"] is not None and row["jobs"] is not None
                for row in all_rows
            ),
            "scatter_figure": dashboard_charts.unemployment_vs_jobs_figure(all_rows),
            "scatter_summary": dashboard_charts.unemployment_vs_jobs_summary(all_rows),
        }

    return cached_page(
        request,
        template="roadmap/dashboard_indicators_body.html",
        title="Indicateurs — tableau de bord",
        build=build,
        with_charts=True,
    )


# --- Exports -------------------------------------------------------------------------


def _matrix_table(request):
    form = _matrix_form(request)
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
            _naive(row.oldest_pending),
            _naive(row.last_change),
        ]
        for cell in row.cells:
            if cell is None:
                line += [None, None, None]
            else:
                line += [
                    cell.stage.get_status_display(),
                    cell.progress,
                    _naive(cell.last_change),
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


def _naive(moment):
    """Local time without time zone: XLSX has none."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return value


def _attachment(content, *, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx(title, headers, rows, filename):
    dataset = tablib.Dataset(title=title)
    dataset.headers = [escape_cell(header) for header in headers]
    for row in rows:
        dataset.append(escape_row(row))
    return _attachment(
        dataset.export("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=filename,
    )


def _csv(title, headers, rows, filename):
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(escape_row(headers))
    for row in rows:
        writer.writerow(_csv_value(value) for value in escape_row(row))
    # A BOM, so that spreadsheets open the UTF-8 file with its accents.
    return _attachment(
        "\ufeff" + output.getvalue(),
        content_type="text/csv; charset=utf-8",
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
