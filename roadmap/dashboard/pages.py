"""The dashboard pages as lazy members: a page's template caches its body
under :attr:`DashboardPage.key` ({% stamped %}), so a cached page evaluates
none of them."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.core.paginator import Paginator
from django.http import QueryDict

from basins.roles import Roles
from roadmap.dashboard import charts
from roadmap.dashboard import selectors as dashboard
from roadmap.dashboard.alerts import AlertKind, count_by_kind
from roadmap.dashboard.forms import (
    AlertFilterForm,
    DepartmentFilterForm,
    MatrixFilterForm,
)

PAGE_SIZE = 25
CHART_BASINS = 25


@dataclass
class DashboardPage:
    roles: Roles
    params: QueryDict
    today: date

    @property
    def user(self):
        return self.roles.user

    @cached_property
    def stamp(self) -> str:
        return dashboard.data_stamp()

    @property
    def key(self) -> str:
        """What the page's body depends on: the data, the user's territory,
        the query string and the day (waiting times, inactivity)."""
        return "|".join(
            [
                self.roles.dashboard_scope or "",
                self.params.urlencode(),
                self.today.isoformat(),
                self.stamp,
            ]
        )

    @cached_property
    def departments(self):
        basins = dashboard.dashboard_basins(user=self.user)
        return dashboard.department_choices(basins=basins)


class HomePage(DashboardPage):
    """The basins x six stages matrix, the status summary, the alert counts
    and the first submissions waiting for review."""

    @cached_property
    def form(self):
        return MatrixFilterForm(self.params, departments=self.departments)

    @cached_property
    def matrix(self):
        return dashboard.stage_matrix(
            user=self.user,
            filters=self.form.filters(),
            page_number=self.params.get("page"),
            today=self.today,
            stamp=self.stamp,
        )

    @property
    def page(self):
        return self.matrix.page

    @cached_property
    def summary(self):
        return dashboard.status_summary(user=self.user)

    @cached_property
    def _alerts(self):
        return dashboard.scoped_alerts(
            user=self.user, today=self.today, stamp=self.stamp
        )

    @property
    def alert_counts(self):
        return count_by_kind(self._alerts)

    @property
    def alert_total(self):
        return len(self._alerts)

    @cached_property
    def queue(self):
        stages = dashboard.review_queue(user=self.user)[: dashboard.QUEUE_PREVIEW]
        return dashboard.queue_entries(stages, today=self.today)


class QueuePage(DashboardPage):
    """The stages submitted to the user, oldest submission first."""

    @cached_property
    def page(self):
        stages = dashboard.review_queue(user=self.user)
        return Paginator(stages, PAGE_SIZE).get_page(self.params.get("page"))

    @property
    def entries(self):
        return dashboard.queue_entries(self.page.object_list, today=self.today)


class AlertsPage(DashboardPage):
    kinds = list(AlertKind)

    @cached_property
    def form(self):
        return AlertFilterForm(self.params)

    @cached_property
    def page(self):
        data = self.form.cleaned_data if self.form.is_valid() else {}
        alerts = dashboard.scoped_alerts(
            user=self.user,
            today=self.today,
            kind=data.get("kind", ""),
            basin_code=data.get("basin", ""),
            stamp=self.stamp,
        )
        return Paginator(alerts, PAGE_SIZE).get_page(self.params.get("page"))


def chart_rows(rows):
    return [
        {
            "name": row.name,
            "jobs": row.jobs_per_thousand,
            "target": row.jobs_target_per_thousand,
            "change": row.unemployment.change if row.unemployment else None,
        }
        for row in rows
    ]


class IndicatorsPage(DashboardPage):
    """Indicators per 1,000 inhabitants and the unemployment trend."""

    @cached_property
    def form(self):
        return DepartmentFilterForm(self.params, departments=self.departments)

    @cached_property
    def rows(self):
        return dashboard.basin_indicators(
            user=self.user, department=self.form.selected_department()
        )

    @cached_property
    def page(self):
        return Paginator(self.rows, PAGE_SIZE).get_page(self.params.get("page"))

    @cached_property
    def _all_rows(self):
        return chart_rows(self.rows)

    @cached_property
    def _page_rows(self):
        # The bar chart compares the basins of the page; the scatter shows all.
        return chart_rows(self.page.object_list)[:CHART_BASINS]

    @property
    def jobs_figure(self):
        return charts.jobs_per_thousand_figure(self._page_rows)

    @property
    def jobs_summary(self):
        return charts.jobs_per_thousand_summary(self._page_rows)

    @property
    def scatter_points(self):
        return any(
            row["change"] is not None and row["jobs"] is not None
            for row in self._all_rows
        )

    @property
    def scatter_figure(self):
        return charts.unemployment_vs_jobs_figure(self._all_rows)

    @property
    def scatter_summary(self):
        return charts.unemployment_vs_jobs_summary(self._all_rows)
