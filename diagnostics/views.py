from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from basins.models import Basin
from diagnostics import metrics, selectors
from diagnostics.models import HeadcountBand


@require_GET
def basin_diagnostic(request, code):
    basin = get_object_or_404(Basin.objects.visible_to(request.user), code=code)
    diagnostic = selectors.basin_diagnostic(basin=basin)
    return render(
        request,
        "diagnostics/diagnostic.html",
        {"basin": basin, "diagnostic": diagnostic},
    )


@require_GET
def methods(request):
    """How each figure of the diagnostic is computed, and from which data."""
    return render(
        request,
        "diagnostics/methods.html",
        {
            "sources": selectors.methods_sources(),
            "bands": [
                (band.value, band.label, metrics.BAND_MIDPOINTS[band.value])
                for band in HeadcountBand
            ],
            "rules": metrics.rules(),
        },
    )
