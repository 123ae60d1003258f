"""The partial plotly.js bundle (tools/plotly/) in Chromium, under the site's CSP.

It registers exactly the trace types the product draws, and each one draws on
a page of the site (strict CSP: no inline style, connect-src 'self') with no
console error and no request elsewhere: the geo traces included, from GeoJSON
with the base map hidden, as the maps of basins do.
"""

import json

import plotly.offline
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login

pytestmark = pytest.mark.slow

TRACES = ["bar", "choropleth", "scatter", "scattergeo"]
SQUARE = [[[5.5, 45.0], [6.0, 45.0], [6.0, 45.4], [5.5, 45.4], [5.5, 45.0]]]
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "8409",
            "properties": {"nom": "Grenoble"},
            "geometry": {"type": "Polygon", "coordinates": SQUARE},
        }
    ],
}
MAP = {"geo": {"visible": False, "fitbounds": "locations"}}
FIGURES = {
    "bar": ([{"type": "bar", "x": ["C", "G"], "y": [3, 5]}], {}),
    "scatter": ([{"type": "scatter", "x": [2023, 2024], "y": [6.8, 7.0]}], {}),
    "choropleth": (
        [
            {
                "type": "choropleth",
                "geojson": GEOJSON,
                "locations": ["8409"],
                "z": [7.0],
                "colorbar": {"title": {"text": "Taux"}},
            }
        ],
        MAP,
    ),
    "scattergeo": (
        [{"type": "scattergeo", "lon": [5.72], "lat": [45.19], "text": ["Grenoble"]}],
        MAP,
    ),
}
DRAW = """async ([data, layout]) => {
    const el = document.createElement("div");
    document.getElementById("content").append(el);
    await window.Plotly.newPlot(el, data, layout, {displayModeBar: false});
    return el.querySelectorAll(
        "path.choroplethlocation, g.bars path, g.scatterlayer path, g.scattergeo path"
    ).length;
}"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_bundle_draws_each_trace_type_under_the_csp(
    page, member, territory, live_server
):
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url)
            else elsewhere.append(request.url)
        ),
    )
    login(page, member.username)
    page.goto(f"/diagnostics/bassins/{territory['grenoble'].code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diagnostic")
    page.wait_for_load_state("load")

    assert (
        page.evaluate("window.Plotly.version") == plotly.offline.get_plotlyjs_version()
    )
    assert (
        sorted(page.evaluate("Object.keys(window.Plotly.PlotSchema.get().traces)"))
        == TRACES
    )
    for name, (data, layout) in FIGURES.items():
        drawn = page.evaluate(DRAW, [json.loads(json.dumps(data)), layout])
        assert drawn >= 1, name
    assert elsewhere == []
