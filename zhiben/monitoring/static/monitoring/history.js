/* 监测设备历史曲线: the mean (or raw) line with the min–max band and the alarm thresholds.
   Data from <script type="application/json" id="device-history-data"> (json_script). */
(function () {
  "use strict";
  var el = document.getElementById("device-history");
  var src = document.getElementById("device-history-data");
  if (!el || !src || !window.echarts) { return; }
  var d = JSON.parse(src.textContent);
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var colors = ["#e0a526", "#e8772e", "#c8102e"];
  chart.setOption({
    animation: !navigator.webdriver,
    tooltip: { trigger: "axis", confine: true },
    grid: { left: 48, right: 16, top: 24, bottom: 48 },
    xAxis: { type: "category", data: d.times, axisLabel: { hideOverlap: true } },
    yAxis: { type: "value", name: d.unit, scale: true },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 4 }],
    series: [
      { name: "最低", type: "line", data: d.low, showSymbol: false, lineStyle: { opacity: 0 }, stack: "band", silent: true },
      { name: "区间", type: "line", data: d.high.map(function (h, i) { return h - d.low[i]; }), showSymbol: false,
        lineStyle: { opacity: 0 }, areaStyle: { color: "#5fa8d3", opacity: 0.25 }, stack: "band", silent: true,
        tooltip: { show: false } },
      { name: d.name, type: "line", data: d.mean, showSymbol: false, color: "#0f4c81",
        markLine: { symbol: "none", silent: true, data: d.thresholds.map(function (t, i) {
          return { yAxis: t[1], name: t[0], lineStyle: { color: colors[i], type: "dashed" }, label: { formatter: t[0] } };
        }) } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
