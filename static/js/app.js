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

// Screen readers: after an htmx swap, read out the text of any new element
// marked data-announce (e.g. "3 bassins"), through one polite live region
// that stays in the page (#live-announcer, in base.html). A region swapped in
// with the content itself is usually not read.
(function () {
  "use strict";

  function announce(quiet) {
    var region = document.getElementById("live-announcer");
    document.querySelectorAll("[data-announce]:not([data-announced])").forEach(function (el) {
      el.dataset.announced = "1";
      if (!quiet && region) region.textContent = el.textContent.replace(/\s+/g, " ").trim();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { announce(true); });
  document.body.addEventListener("htmx:afterSettle", function () { announce(false); });
})();
