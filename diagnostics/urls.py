from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path(
        "bassins/<str:code>/",
        views.basin_diagnostic,
        name="basin_diagnostic",
    ),
]
