from django.apps import AppConfig

from basins.links import Link, add_basin_link, add_nav_link


def _imports_data(request):
    user = request.user
    return user.is_staff and user.has_perm("diagnostics.add_importrun")


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Diagnostics et données publiques"

    def ready(self):
        add_nav_link(
            Link(
                "Imports de données", "diagnostics:import_list", _imports_data, order=20
            )
        )
        add_basin_link(
            Link(
                "Diagnostic du bassin",
                "diagnostics:basin_diagnostic",
                icon="fr-icon-line-chart-line",
                order=10,
            )
        )
