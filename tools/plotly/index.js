// The plotly.js modules the product draws: core (with scatter) plus the
// trace types below. Keep TRACES in build.mjs in step with this list.
'use strict';

var Plotly = require('plotly.js/lib/core');
var geoConstants = require('plotly.js/src/plots/geo/constants');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scattergeo'),
]);

// A geo subplot loads the base map of its scope (topojson) from topojsonURL,
// plotly's CDN by default, which the CSP blocks (connect-src 'self'), and it
// does so even for a choropleth of the figure's own GeoJSON (locationmode
// "geojson-id"). The maps here draw basins from their GeoJSON with the base
// map hidden (geo.visible: false): every base map is registered empty, so
// none is fetched. A figure that shows land, coasts or countries fails.
var emptyBaseMap = { type: 'Topology', objects: {}, arcs: [] };
Object.keys(geoConstants.scopeDefaults).forEach(function (scope) {
    [110, 50].forEach(function (resolution) {
        var name = scope.replace(/ /g, '-') + '_' + resolution + 'm';
        window.PlotlyGeoAssets.topojson[name] = emptyBaseMap;
    });
});

module.exports = Plotly;
