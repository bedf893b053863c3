// Patient charts: one uPlot per measurement kind, alert thresholds drawn as dashed lines.
// Data comes from the JSON endpoint named in #charts[data-series] (no inline script: CSP).
(function () {
  "use strict";

  function thresholdPlugin(thresholds) {
    return {
      hooks: {
        draw: function (u) {
          var ctx = u.ctx;
          thresholds.forEach(function (t) {
            var y = u.valToPos(t.value, "y", true);
            if (!isFinite(y)) { return; }
            ctx.save();
            ctx.strokeStyle = t.severity === "high" ? "#a3140f" : "#8a4b00";
            ctx.setLineDash([6, 4]);
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
            ctx.restore();
          });
        }
      }
    };
  }

  function range(series) {
    var lo = Infinity, hi = -Infinity;
    series.y.forEach(function (v) { if (v < lo) { lo = v; } if (v > hi) { hi = v; } });
    series.thresholds.forEach(function (t) { if (t.value < lo) { lo = t.value; } if (t.value > hi) { hi = t.value; } });
    var pad = (hi - lo) * 0.08 || 1;
    return [lo - pad, hi + pad];
  }

  function draw(root, series, label) {
    var box = document.createElement("figure");
    box.className = "chart";
    var title = document.createElement("h3");
    title.textContent = series.label + " (" + series.unit + ")";
    box.appendChild(title);
    var limits = series.thresholds.map(function (t) { return label + " " + t.value + " : " + t.label; });
    if (limits.length) {
      var cap = document.createElement("figcaption");
      cap.textContent = limits.join(" · ");
      box.appendChild(cap);
    }
    // A text alternative for screen readers: how many readings and the latest value.
    var summary = document.createElement("p");
    summary.className = "sr";
    var last = series.y.length ? series.y[series.y.length - 1] : null;
    summary.textContent = series.label + ": " + series.y.length + " / " +
      (last === null ? "—" : last + " " + series.unit);
    box.appendChild(summary);
    root.appendChild(box);
    var many = series.x.length > 500;
    var yr = range(series);
    var opts = {
      width: Math.max(300, root.clientWidth - 8),
      height: 220,
      scales: { x: { time: true }, y: { range: function () { return yr; } } },
      legend: { show: true },
      series: [
        {},
        {
          label: series.label,
          stroke: "#0b4f8a",
          width: 1.5,
          points: { show: !many, size: 5 }
        }
      ],
      plugins: [thresholdPlugin(series.thresholds)]
    };
    var plot = new uPlot(opts, [series.x, series.y], box);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(300, root.clientWidth - 8), height: 220 });
    });
  }

  function start() {
    var root = document.getElementById("charts");
    if (!root || typeof uPlot === "undefined") { return; }
    fetch(root.dataset.series, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.series.length) {
          root.textContent = root.dataset.empty;
          return;
        }
        data.series.forEach(function (s) { draw(root, s, root.dataset.thresholdLabel); });
        root.setAttribute("data-ready", "true");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
