from django.apps import AppConfig

from basins.links import Link, add_basin_link, add_nav_link


def _uses_dashboard(request):
    return request.roles.can_use_dashboard


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = "Feuilles de route"

    def ready(self):
        add_nav_link(
            Link("Tableau de bord", "roadmap:dashboard", _uses_dashboard, order=10)
        )
        add_basin_link(
            Link(
                "Feuilles de route du bassin",
                "roadmap:basin_roadmaps",
                icon="fr-icon-road-map-line",
                dom_id="basin-roadmaps-link",
                order=20,
            )
        )
