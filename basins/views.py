from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from basins import selectors
from basins.forms import BasinSearchForm
from basins.links import basin_links
from basins.models import Basin


@require_GET
@vary_on_headers("HX-Request")
def home(request):
    form = BasinSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    basins = selectors.basin_list(user=request.user, query=query)
    page = Paginator(basins, 25).get_page(request.GET.get("page"))
    page.object_list = selectors.with_figures(basins=page.object_list)
    template = "basins/home.html"
    # A history restore (back button, htmx cache miss) needs the whole page.
    if (
        request.htmx
        and not request.htmx.boosted
        and not request.htmx.history_restore_request
    ):
        template += "#results"
    return render(request, template, {"form": form, "page": page, "query": query})


@require_GET
def basin_detail(request, code):
    basin = get_object_or_404(
        Basin.objects.visible_to(request.user).with_stats(), code=code
    )
    return render(
        request,
        "basins/basin_detail.html",
        {
            "basin": basin,
            "departments": basin.departments.select_related("region"),
            "members": selectors.basin_members(basin=basin),
            "basin_links": basin_links(request, basin),
        },
    )
