from django.urls import path

from diagnostics import views, views_imports

app_name = "diagnostics"

urlpatterns = [
    path(
        "bassins/<str:code>/",
        views.basin_diagnostic,
        name="basin_diagnostic",
    ),
    path("methodes-et-sources/", views.methods, name="methods"),
]

# Public data imports: staff only, but a run's page is open to every user.
urlpatterns += [
    path("imports/", views_imports.import_list, name="import_list"),
    path("imports/nouveau/", views_imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path(
        "imports/<int:pk>/rejets.csv",
        views_imports.import_rejects,
        name="import_rejects",
    ),
]
