// The county map: ECharts, no tiles. With a boundary, areas shaded by the chosen count; without
// one, a point at each region's centre sized and coloured by the count. Reports that carried a
// location are small points. A click opens the region's case list.
(function () {
  "use strict";
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function start() {
    var box = document.getElementById("map");
    if (!box || !window.echarts) return;
    var measure = document.getElementById("map-measure");
    var level = document.getElementById("map-level");
    var chart = echarts.init(box);
    var data = null;
    function label(key) { return box.dataset["label" + key.charAt(0).toUpperCase() + key.slice(1)] || key; }
    function draw() {
      var m = measure.value, lvl = level.value;
      var regions = data.regions.filter(function (r) { return r.level === lvl; });
      var max = Math.max(1, Math.max.apply(null, regions.map(function (r) { return r[m]; })));
      var byCode = {};
      regions.forEach(function (r) { byCode[r.code] = r; });
      var option;
      var located = {
        name: label("located"), type: "scatter", symbolSize: 5, itemStyle: { color: "#1f4e79" },
        data: data.points.map(function (p) { return { name: p.case, value: [p.lng, p.lat] }; })
      };
      if (data.geojson) {
        var features = data.geojson.features.filter(function (f) { return f.properties.level === lvl; });
        echarts.registerMap("county-" + lvl, { type: "FeatureCollection", features: features });
        located.coordinateSystem = "geo";
        option = {
          tooltip: { trigger: "item" },
          visualMap: { min: 0, max: max, left: 10, bottom: 10, calculable: true, inRange: { color: ["#f3f6fa", "#f2b97c", "#c0392b"] } },
          geo: { map: "county-" + lvl, nameProperty: "code", roam: true, silent: true },
          series: [
            { name: label(m), type: "map", map: "county-" + lvl, nameProperty: "code", geoIndex: 0,
              data: regions.map(function (r) { return { name: r.code, value: r[m], label: r.name }; }) },
            located
          ]
        };
      } else {
        document.getElementById("map-note").hidden = false;
        var pts = regions.filter(function (r) { return r.lng !== null; });
        option = {
          tooltip: { trigger: "item", formatter: function (p) { return p.data.label !== undefined ? p.data.label + ": " + p.data.value[2] : p.name; } },
          visualMap: { min: 0, max: max, dimension: 2, left: 10, bottom: 10, calculable: true, seriesIndex: 0, inRange: { color: ["#9fb8d3", "#f2b97c", "#c0392b"] } },
          xAxis: { type: "value", scale: true, name: label("lng"), splitLine: { show: false } },
          yAxis: { type: "value", scale: true, name: label("lat"), splitLine: { show: false } },
          series: [
            { name: label(m), type: "scatter",
              symbolSize: function (v) { return 8 + 30 * Math.sqrt(v[2] / max); },
              data: pts.map(function (r) { return { name: r.code, label: r.name, value: [r.lng, r.lat, r[m]] }; }) },
            located
          ]
        };
      }
      chart.setOption(option, true);
      box.dataset.loaded = String(regions.length);
    }
    function table() {
      var body = document.querySelector("#map-table tbody");
      body.textContent = "";
      data.regions.forEach(function (r) {
        var tr = el("tr");
        var name = el("td", null, r.level === "village" ? "indent" : "");
        var a = el("a", r.name);
        a.href = r.link;
        name.appendChild(a);
        tr.appendChild(name);
        tr.appendChild(el("td", r.code, "mono"));
        tr.appendChild(el("td", String(r.cases)));
        tr.appendChild(el("td", String(r.alerts)));
        tr.appendChild(el("td", String(r.findings)));
        body.appendChild(tr);
      });
    }
    chart.on("click", function (p) {
      var r = null;
      if (p.seriesIndex === 0 && data) {
        data.regions.forEach(function (x) { if (x.code === p.name) r = x; });
      }
      if (r) window.location.href = r.link;
      else if (p.seriesIndex === 1 && p.name) window.location.href = "/cases/" + encodeURIComponent(p.name) + "/";
    });
    measure.addEventListener("change", function () { if (data) draw(); });
    level.addEventListener("change", function () { if (data) draw(); });
    window.addEventListener("resize", function () { chart.resize(); });
    fetch(box.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) { data = d; table(); draw(); });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
