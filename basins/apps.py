from django.apps import AppConfig


class BasinsConfig(AppConfig):
    name = "basins"
    verbose_name = "Territoires"
