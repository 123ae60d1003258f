"""URLs of the roadmap app: one list per page family, the dashboard's own."""

from django.urls import path

from roadmap.dashboard.urls import urlpatterns as dashboard_urls
from roadmap.views import basin, items, overview, pins, review, stage

app_name = "roadmap"

urlpatterns = [
    path("bassin/<str:code>/", basin.basin_roadmaps, name="basin_roadmaps"),
    path("bassin/<str:code>/nouvelle/", basin.roadmap_create, name="roadmap_create"),
    path("<int:roadmap_pk>/etapes/<int:number>/", stage.stage_detail, name="stage"),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/synthese/",
        stage.stage_summary,
        name="stage_summary",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/commentaires/",
        stage.stage_comments,
        name="stage_comments",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/historique/",
        stage.stage_block,
        {"block": "history"},
        name="stage_history",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/avancement/",
        stage.stage_block,
        {"block": "progress"},
        name="stage_progress",
    ),
    path("<int:roadmap_pk>/risques/", items.risks, name="risks"),
    path("<int:roadmap_pk>/elements/<slug:kind>/", items.item_list, name="item_list"),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/ajouter/",
        items.item_create,
        name="item_create",
    ),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/lot/",
        items.item_bulk,
        name="item_bulk",
    ),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/<int:pk>/modifier/",
        items.item_edit,
        name="item_edit",
    ),
    path(
        "<int:roadmap_pk>/elements/<slug:kind>/<int:pk>/supprimer/",
        items.item_delete,
        name="item_delete",
    ),
    path("<int:pk>/", overview.overview, name="overview"),
    path("<int:pk>/impression/", overview.roadmap_print, name="print"),
    path(
        "<int:pk>/export.xlsx",
        overview.export,
        {"extension": "xlsx"},
        name="export_xlsx",
    ),
    path(
        "<int:pk>/export.csv", overview.export, {"extension": "csv"}, name="export_csv"
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/statut/",
        review.stage_review,
        name="stage_review",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/soumettre/",
        review.stage_submit,
        name="stage_submit",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/valider/",
        review.stage_validate,
        name="stage_validate",
    ),
    path(
        "<int:roadmap_pk>/etapes/<int:number>/renvoyer/",
        review.stage_return,
        name="stage_return",
    ),
    path(
        "<int:roadmap_pk>/diagnostic/chiffres/",
        pins.pins_panel,
        name="pins_panel",
    ),
    path(
        "<int:roadmap_pk>/diagnostic/chiffres/epingler/",
        pins.pin_create,
        name="pin_create",
    ),
    path(
        "<int:roadmap_pk>/diagnostic/chiffres/<int:pk>/retirer/",
        pins.pin_delete,
        name="pin_delete",
    ),
    *dashboard_urls,
]
