/* Draws the dashboard's charts from the overview JSON on the page (#overview-data) and makes
   every bar and slice a link to the case list behind it (#overview-links). Redraws after the
   big screen's htmx refresh. */
(function () {
  "use strict";
  var charts = [];

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function go(url) { if (url) { window.location.href = url; } }

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return; }
    var dark = document.documentElement.classList.contains("screen");
    var chart = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    if (dark) { option.backgroundColor = "transparent"; option.textStyle = { fontSize: 16 }; }
    chart.setOption(option);
    if (onClick) { chart.on("click", onClick); }
    charts.push(chart);
  }

  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var ov = data("overview-data");
    var links = data("overview-links");
    if (!ov || !links) { return; }
    var big = document.documentElement.classList.contains("screen");
    var fs = big ? 16 : 12;
    var grid = { left: 8, right: 16, top: 30, bottom: 8, containLabel: true };

    make("chart-series", {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: [label("received"), label("resolved")], textStyle: { fontSize: fs } },
      grid: grid,
      xAxis: { type: "category", data: ov.series.map(function (p) { return p.period; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: label("received"), type: "line", smooth: true, data: ov.series.map(function (p) { return p.received; }) },
        { name: label("resolved"), type: "line", smooth: true, data: ov.series.map(function (p) { return p.resolved; }) }
      ]
    });

    var levelOrder = ["village", "town", "county", "statutory"];
    var levelNames = {};
    document.querySelectorAll(".legend-links a[data-level]").forEach(function (a) {
      levelNames[a.dataset.level] = a.textContent.split(":")[0];
    });
    make("chart-levels", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", renderMode: "richText" },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "20%",
        label: { show: true, position: "inside", fontSize: fs, formatter: "{b} {c}" },
        data: levelOrder.map(function (l) {
          return { name: levelNames[l] || label(l), value: ov.by_level[l], code: l };
        })
      }]
    }, function (p) { go(links.by_level[p.data.code]); });

    function bars(id, rows, linkMap, horizontal) {
      var names = rows.map(function (r) { return r.label || r.name; });
      var values = rows.map(function (r) { return { value: r.received, code: r.code }; });
      var cat = { type: "category", data: names, axisLabel: { fontSize: fs, interval: 0 } };
      var val = { type: "value", minInterval: 1 };
      if (horizontal) { cat.inverse = true; }
      make(id, {
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: grid,
        xAxis: horizontal ? val : Object.assign(cat, { axisLabel: { rotate: 30, fontSize: fs, interval: 0 } }),
        yAxis: horizontal ? cat : val,
        series: [{ type: "bar", name: label("received"), data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
      }, function (p) { go(linkMap[p.data.code]); });
    }
    // Every category counts: beyond the first eleven, the rest are one explicit "other categories" bar.
    bars("chart-category", withRest(ov.by_category, 12), links.by_category, false);
    bars("chart-channel", ov.by_channel, links.by_channel, false);
    bars("chart-towns", ov.by_town.slice(0, 15), links.by_town, true);
  }

  function withRest(rows, most) {
    if (rows.length <= most) { return rows; }
    var rest = rows.slice(most - 1);
    var total = rest.reduce(function (sum, r) { return sum + r.received; }, 0);
    return rows.slice(0, most - 1).concat([{ label: label("others"), received: total, code: "" }]);
  }

  function label(key) {
    var el = document.getElementById("label-" + key);
    var names = { received: "received", resolved: "resolved", village: "village", town: "town", county: "county", statutory: "statutory" };
    var fromPage = document.querySelector("[data-label-" + key + "]");
    return el ? el.textContent : (fromPage ? fromPage.getAttribute("data-label-" + key) : names[key]);
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
