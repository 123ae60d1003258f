// Behaviour shared by every page. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  // Draw every Plotly figure whose spec was emitted with json_script.
  // <div class="chart" data-figure="ID"></div> + {{ fig|json_script:"ID" }}
  function drawCharts(root) {
    if (typeof window.Plotly === "undefined") return;
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var spec = document.getElementById(el.dataset.figure);
      if (!spec) return;
      var figure = JSON.parse(spec.textContent);
      // A figure sent as fig.to_json() arrives as a JSON string.
      if (typeof figure === "string") figure = JSON.parse(figure);
      var config = Object.assign({ responsive: true, displaylogo: false, locale: "fr" },
                                 figure.config || {});
      window.Plotly.newPlot(el, figure.data, figure.layout || {}, config);
      el.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    drawCharts(event.detail.elt);
  });
})();
