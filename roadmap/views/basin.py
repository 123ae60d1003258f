"""A basin's roadmaps: the list, and the creation of one."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from roadmap import services
from roadmap.forms import RoadmapForm
from roadmap.models.registry import PAGE_SIZE
from roadmap.views.common import (
    basin_and_access,
    forbidden,
    partial_template,
    posted,
)


@require_GET
def basin_roadmaps(request, code):
    basin, access = basin_and_access(request, code)
    roadmaps = basin.roadmaps.order_by("-period_start")
    page = Paginator(roadmaps, PAGE_SIZE).get_page(request.GET.get("page"))
    template = partial_template(request, "roadmap/basin_roadmaps.html", "results")
    return render(request, template, {"basin": basin, "page": page, "access": access})


@require_http_methods(["GET", "POST"])
def roadmap_create(request, code):
    basin, access = basin_and_access(request, code)
    if not access.can_edit:
        return forbidden(
            request,
            "Seuls les membres du comité de bassin peuvent créer une feuille de route.",
        )
    form = RoadmapForm(posted(request), basin=basin)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                roadmap = services.create_roadmap(
                    basin=basin,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    title=form.cleaned_data["title"],
                    user=request.user,
                )
            except IntegrityError:
                form.add_error(
                    None,
                    "Une feuille de route vient d'être créée pour cette période : "
                    "rechargez la liste.",
                )
            else:
                messages.success(request, f"« {roadmap} » a été créée.")
                return redirect(roadmap.get_absolute_url())
        status = 422
    return render(
        request,
        "roadmap/roadmap_create.html",
        {"basin": basin, "form": form},
        status=status,
    )
