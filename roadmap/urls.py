from django.urls import path

from roadmap import views

app_name = "roadmap"

# A plain list: other parts of the app append their own patterns below.
urlpatterns = [
    path("bassin/<str:code>/", views.basin_roadmaps, name="basin_roadmaps"),
    path("bassin/<str:code>/nouvelle/", views.roadmap_create, name="roadmap_create"),
    path("<int:roadmap_pk>/etapes/<int:number>/", views.stage_detail, name="stage"),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/synthese/",
        views.stage_summary,
        name="stage_summary",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/commentaires/",
        views.stage_comments,
        name="stage_comments",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/historique/",
        views.stage_history,
        name="stage_history",
    ),
    path("<int:roadmap_pk>/risques/", views.risks, name="risks"),
    path("<int:roadmap_pk>/elements/<slug:kind>/", views.item_list, name="item_list"),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/ajouter/",
        views.item_create,
        name="item_create",
    ),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/lot/",
        views.item_bulk,
        name="item_bulk",
    ),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/<int:pk>/modifier/",
        views.item_edit,
        name="item_edit",
    ),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/<int:pk>/supprimer/",
        views.item_delete,
        name="item_delete",
    ),
]

# --- Review workflow, overview, print view and exports (views_review.py) ---
from roadmap import views_review  # noqa: E402

urlpatterns += [
    path("<int:pk>/", views_review.overview, name="overview"),
    path("<int:pk>/impression/", views_review.roadmap_print, name="print"),
    path("<int:pk>/export.xlsx", views_review.export_xlsx, name="export_xlsx"),
    path("<int:pk>/export.csv", views_review.export_csv, name="export_csv"),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/statut/",
        views_review.stage_review,
        name="stage_review",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/soumettre/",
        views_review.stage_submit,
        name="stage_submit",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/valider/",
        views_review.stage_validate,
        name="stage_validate",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/renvoyer/",
        views_review.stage_return,
        name="stage_return",
    ),
]

# --- Prefecture dashboard (views_dashboard.py) ---
from roadmap import views_dashboard  # noqa: E402

urlpatterns += [
    path("tableau-de-bord/", views_dashboard.dashboard_home, name="dashboard"),
    path(
        "tableau-de-bord/file-d-attente/",
        views_dashboard.dashboard_queue,
        name="dashboard_queue",
    ),
    path(
        "tableau-de-bord/alertes/",
        views_dashboard.dashboard_alerts,
        name="dashboard_alerts",
    ),
    path(
        "tableau-de-bord/indicateurs/",
        views_dashboard.dashboard_indicators,
        name="dashboard_indicators",
    ),
    path(
        "tableau-de-bord/matrice.xlsx",
        views_dashboard.matrix_xlsx,
        name="dashboard_matrix_xlsx",
    ),
    path(
        "tableau-de-bord/matrice.csv",
        views_dashboard.matrix_csv,
        name="dashboard_matrix_csv",
    ),
    path(
        "tableau-de-bord/indicateurs.xlsx",
        views_dashboard.indicators_xlsx,
        name="dashboard_indicators_xlsx",
    ),
    path(
        "tableau-de-bord/indicateurs.csv",
        views_dashboard.indicators_csv,
        name="dashboard_indicators_csv",
    ),
]

# --- Stage 1: figures pinned from the automatic diagnostic (views_pins.py) ---
from roadmap import views_pins  # noqa: E402

urlpatterns += [
    path(
        "<int:roadmap_pk>/diagnostic/chiffres/",
        views_pins.pins_panel,
        name="pins_panel",
    ),
    path(
        "<int:roadmap_pk>/diagnostic/chiffres/epingler/",
        views_pins.pin_create,
        name="pin_create",
    ),
    path(
        "<int:roadmap_pk>/diagnostic/chiffres/<int:pk>/retirer/",
        views_pins.pin_delete,
        name="pin_delete",
    ),
]
