"""URLs of the prefecture dashboard, in the ``roadmap`` namespace."""

from django.urls import path

from roadmap.dashboard import views

urlpatterns = [
    path("tableau-de-bord/", views.dashboard_home, name="dashboard"),
    path(
        "tableau-de-bord/file-d-attente/",
        views.dashboard_queue,
        name="dashboard_queue",
    ),
    path(
        "tableau-de-bord/alertes/",
        views.dashboard_alerts,
        name="dashboard_alerts",
    ),
    path(
        "tableau-de-bord/indicateurs/",
        views.dashboard_indicators,
        name="dashboard_indicators",
    ),
    path(
        "tableau-de-bord/matrice.xlsx",
        views.dashboard_export,
        {"table": "matrix", "extension": "xlsx"},
        name="dashboard_matrix_xlsx",
    ),
    path(
        "tableau-de-bord/matrice.csv",
        views.dashboard_export,
        {"table": "matrix", "extension": "csv"},
        name="dashboard_matrix_csv",
    ),
    path(
        "tableau-de-bord/indicateurs.xlsx",
        views.dashboard_export,
        {"table": "indicators", "extension": "xlsx"},
        name="dashboard_indicators_xlsx",
    ),
    path(
        "tableau-de-bord/indicateurs.csv",
        views.dashboard_export,
        {"table": "indicators", "extension": "csv"},
        name="dashboard_indicators_csv",
    ),
]
