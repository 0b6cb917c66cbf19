/* 指标页：按季度趋势。Data from <script type="application/json" id="indicator-trend-data">; the same numbers
   are in the table under the chart, so the page reads without it. */
(function () {
  "use strict";
  var el = document.querySelector('[data-ix-chart="trend"]');
  var data = document.getElementById("indicator-trend-data");
  if (!el || !data || !window.echarts) { return; }
  data = JSON.parse(data.textContent);
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  window.addEventListener("resize", function () { chart.resize(); });
  var series = [{
    name: "指标值", type: "line", data: data.values, connectNulls: false, symbolSize: 7,
    lineStyle: { width: 3 }, label: { show: true, position: "top", fontSize: 11 }
  }];
  if (data.target !== null) {
    series[0].markLine = { symbol: "none", lineStyle: { color: "#c8102e", type: "dashed" },
      label: { position: "insideEndTop", formatter: "目标 " + data.target + data.unit }, data: [{ yAxis: data.target }] };
  }
  chart.setOption({
    animation: !navigator.webdriver,
    color: ["#0f4c81"],
    tooltip: { trigger: "axis", confine: true },
    grid: { left: 8, right: 16, top: 24, bottom: 4, containLabel: true },
    xAxis: { type: "category", data: data.labels, axisLabel: { color: "#5b6575", fontSize: 10, interval: 0, rotate: 30 } },
    yAxis: { type: "value", name: data.unit, axisLabel: { color: "#5b6575", fontSize: 11 } },
    series: series
  });
})();
