from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from basins.models import Basin
from diagnostics import selectors


@require_GET
def basin_diagnostic(request, code):
    basin = get_object_or_404(Basin.objects.visible_to(request.user), code=code)
    diagnostic = selectors.basin_diagnostic(basin=basin)
    return render(
        request,
        "diagnostics/diagnostic.html",
        {"basin": basin, "diagnostic": diagnostic},
    )
