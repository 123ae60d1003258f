from django.urls import path

from basins import views

app_name = "basins"

urlpatterns = [
    path("", views.home, name="home"),
    path("bassins/<str:code>/", views.basin_detail, name="detail"),
]
