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

from roadmap.dashboard import exports
from roadmap.dashboard.pages import AlertsPage, HomePage, IndicatorsPage, QueuePage
from roadmap.views.common import forbidden, partial_template, spreadsheet

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
            return forbidden(request, FORBIDDEN)
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, page_class):
    return page_class(
        roles=request.roles, params=request.GET, today=timezone.localdate()
    )


def _render(request, template, partial, page_class):
    """The page, or its ``partial`` for an HTMX request (filters, pages)."""
    page = _page(request, page_class)
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

TABLES = {
    # table: (its page, for the filters; the table; the file's name)
    "matrix": (HomePage, exports.matrix_table, "matrice-des-etapes"),
    "indicators": (IndicatorsPage, exports.indicator_table, "indicateurs-des-bassins"),
}


@require_GET
@reviewers_only
def dashboard_export(request, table, extension):
    """A dashboard table as XLSX or CSV (roadmap/dashboard/urls.py names it)."""
    page_class, table_of, stem = TABLES[table]
    page = _page(request, page_class)
    return spreadsheet(
        [table_of(page)], filename=f"{stem}-{page.today:%Y-%m-%d}.{extension}"
    )
