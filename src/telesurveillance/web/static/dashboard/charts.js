// Patient charts: one uPlot per measurement kind, alert thresholds drawn as dashed lines.
// Data comes from the JSON endpoint named in #charts[data-series] (no inline script: CSP).
// Titles, units and threshold captions arrive translated; dates are written the French way
// (dd/mm, hh:mm) in Paris time; a null value in the series is a gap: the line breaks there.
(function () {
  "use strict";

  var ZONE = "Europe/Paris";

  function formatters(lang) {
    var locale = lang === "en" ? "en-GB" : "fr-FR";
    var dayMonth = new Intl.DateTimeFormat(locale, { timeZone: ZONE, day: "2-digit", month: "2-digit" });
    var hourMinute = new Intl.DateTimeFormat(locale, { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    var full = new Intl.DateTimeFormat(locale, {
      timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
    var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    return {
      // An axis tick: the day at midnight (Paris), else the time of day.
      tick: function (seconds) {
        var when = new Date(seconds * 1000);
        var hm = hourMinute.format(when);
        return hm === "00:00" ? dayMonth.format(when) : hm;
      },
      moment: function (seconds) { return full.format(new Date(seconds * 1000)); },
      number: function (v) { return number.format(v); }
    };
  }

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

  function present(values) {
    return values.filter(function (v) { return v !== null; });
  }

  function range(series) {
    var lo = Infinity, hi = -Infinity;
    present(series.y).forEach(function (v) { if (v < lo) { lo = v; } if (v > hi) { hi = v; } });
    series.thresholds.forEach(function (t) { if (t.value < lo) { lo = t.value; } if (t.value > hi) { hi = t.value; } });
    var pad = (hi - lo) * 0.08 || 1;
    return [lo - pad, hi + pad];
  }

  function withUnit(text, unit) {
    return unit ? text + " " + unit : text;
  }

  function width(root) {
    return Math.max(220, root.clientWidth - 8);
  }

  // `span`: the time window the answer covers ([from, to] in seconds) when it gives one, so a
  // curve with a single reading still has a readable time axis.
  function draw(root, series, fmt, span) {
    var box = document.createElement("figure");
    box.className = "chart";
    var title = document.createElement("h3");
    title.textContent = series.unit ? series.label + " (" + series.unit + ")" : series.label;
    box.appendChild(title);
    var limits = series.thresholds.map(function (t) { return t.label; });
    if (limits.length) {
      var cap = document.createElement("figcaption");
      cap.textContent = limits.join(" · ");
      box.appendChild(cap);
    }
    // A text alternative for screen readers: how many readings and the latest value (a long
    // series is drawn thinned: the count is the readings', said by the server in `readings`).
    var values = present(series.y);
    var last = values.length ? values[values.length - 1] : null;
    var count = typeof series.readings === "number" ? series.readings : values.length;
    var summary = document.createElement("p");
    summary.className = "sr";
    summary.textContent = series.label + " : " + count + " — " +
      (last === null ? "—" : withUnit(fmt.number(last), series.unit));
    box.appendChild(summary);
    // How a thinned line was drawn, for every reader (each stretch's lowest and highest kept).
    if (series.drawn) {
      var note = document.createElement("p");
      note.className = "chart-note";
      note.textContent = series.drawn;
      box.appendChild(note);
    }
    root.appendChild(box);
    var many = series.x.length > 500;
    var yr = range(series);
    var opts = {
      width: width(root),
      height: 220,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), ZONE); },
      scales: {
        x: span ? { time: true, range: function () { return span; } } : { time: true },
        y: { range: function () { return yr; } }
      },
      legend: { show: true },
      axes: [
        { space: 56, values: function (u, splits) { return splits.map(fmt.tick); } },
        { values: function (u, splits) { return splits.map(fmt.number); } }
      ],
      series: [
        {
          label: root.dataset.timeLabel,
          value: function (u, v) { return v === null || v === undefined ? "—" : fmt.moment(v); }
        },
        {
          label: series.label,
          stroke: "#0b4f8a",
          width: 1.5,
          spanGaps: false,
          points: { show: !many, size: 5 },
          value: function (u, v) { return v === null || v === undefined ? "—" : withUnit(fmt.number(v), series.unit); }
        }
      ],
      plugins: [thresholdPlugin(series.thresholds)]
    };
    var plot = new uPlot(opts, [series.x, series.y], box);
    window.addEventListener("resize", function () {
      plot.setSize({ width: width(root), height: 220 });
    });
  }

  function start() {
    var root = document.getElementById("charts");
    if (!root || typeof uPlot === "undefined") { return; }
    var fmt = formatters(root.dataset.lang);
    fetch(root.dataset.series, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.series.length) {
          root.textContent = root.dataset.empty;
        } else {
          var span = data.from && data.to ? [data.from, data.to] : null;
          data.series.forEach(function (s) { draw(root, s, fmt, span); });
        }
        root.setAttribute("data-ready", "true");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
