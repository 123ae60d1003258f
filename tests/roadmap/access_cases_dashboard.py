"""Access matrix of the prefecture dashboard (roadmap/views_dashboard.py).

Not tied to one basin: reviewers and admins may open every page (each shows
only their basins; tested in test_dashboard*.py); committee members and
users without a role get 403.
"""

from tests.access import ADMINS, REVIEWERS, Case

REVIEWERS_AND_ADMINS = REVIEWERS | ADMINS

CASES = [
    Case(name, allowed={"GET": REVIEWERS_AND_ADMINS})
    for name in (
        "roadmap:dashboard",
        "roadmap:dashboard_queue",
        "roadmap:dashboard_alerts",
        "roadmap:dashboard_indicators",
        "roadmap:dashboard_matrix_xlsx",
        "roadmap:dashboard_matrix_csv",
        "roadmap:dashboard_indicators_xlsx",
        "roadmap:dashboard_indicators_csv",
    )
]
