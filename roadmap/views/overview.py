"""A roadmap's overview, its printable version and its exports."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roadmap import exports, selectors
from roadmap.views.common import roadmap_and_access, spreadsheet, visible_roadmap


@require_GET
def overview(request, pk):
    roadmap, _ = roadmap_and_access(request, pk)
    context = {
        "roadmap": roadmap,
        "overview": selectors.roadmap_overview(
            roadmap=roadmap, today=timezone.localdate()
        ),
    }
    return render(request, "roadmap/overview.html", context)


@require_GET
def roadmap_print(request, pk):
    roadmap, _ = roadmap_and_access(request, pk)
    data = selectors.roadmap_print(roadmap=roadmap, today=timezone.localdate())
    return render(request, "roadmap/print.html", {"document": data})


@require_GET
def export(request, pk, extension):
    """The roadmap as XLSX or CSV (roadmap/urls.py names each)."""
    roadmap = visible_roadmap(request, pk)
    return spreadsheet(
        exports.all_tables(roadmap=roadmap),
        filename=exports.export_filename(roadmap=roadmap, extension=extension),
    )
