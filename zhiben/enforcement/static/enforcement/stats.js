/* 执法统计: the page's three charts (by quarter, by department, 只检查不处罚率 by department).

   Data comes from the <script type="application/json" id="enforcement-stats-data"> element that Django's
   json_script writes; the same numbers are in the tables below, so the page reads without it. */
(function () {
  "use strict";

  var ANIMATE = !navigator.webdriver; // still charts for browser tests and screenshots
  var BRAND = "#0f4c81";
  var RED = "#c8102e";
  var AMBER = "#e0a526";
  var GREY = "#9aa4b2";
  var AXIS = { lineStyle: { color: "#cfd6e0" } };
  var SPLIT = { lineStyle: { color: "#eef0f4" } };
  var LABEL = { color: "#5b6575", fontSize: 11 };

  function readData() {
    var el = document.getElementById("enforcement-stats-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function init(el) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function empty(el, text) {
    el.innerHTML = '<div class="zb-empty"><i class="bi bi-bar-chart"></i>' + text + "</div>";
    el.style.height = "auto";
  }

  function quarters(el, data) {
    var chart = init(el);
    chart.setOption({
      animation: ANIMATE,
      color: [BRAND, RED, AMBER],
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 9, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 12, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLine: AXIS, axisTick: { alignWithLabel: true }, axisLabel: LABEL },
      yAxis: [
        { type: "value", name: "检查", minInterval: 1, splitLine: SPLIT, axisLabel: LABEL },
        { type: "value", name: "处罚", minInterval: 1, splitLine: { show: false }, axisLabel: LABEL },
      ],
      series: [
        { name: "检查次数", type: "bar", data: data.inspections, barMaxWidth: 32,
          itemStyle: { borderRadius: [3, 3, 0, 0] }, label: { show: true, position: "top", fontSize: 11 } },
        { name: "处罚决定", type: "line", yAxisIndex: 1, data: data.penalties, symbolSize: 7, lineStyle: { width: 3 },
          label: { show: true, position: "top", color: RED, fontWeight: 600 } },
        { name: "责令限期整改", type: "line", yAxisIndex: 1, data: data.orders, symbolSize: 5,
          lineStyle: { width: 2, type: "dashed" } },
      ],
    });
  }

  function departments(el, data) {
    if (!data.categories.length) { empty(el, "统计期间内暂无数据"); return; }
    var chart = init(el);
    chart.setOption({
      animation: ANIMATE,
      color: [BRAND, RED],
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
        formatter: function (items) {
          var i = items[0].dataIndex;
          var lines = [items[0].axisValueLabel + (data.zero[i] ? "（零处罚）" : "")];
          items.forEach(function (it) { lines.push(it.marker + it.seriesName + "：" + it.value); });
          return lines.join("<br>");
        },
      },
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 9, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 12, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLine: AXIS, axisTick: { alignWithLabel: true },
               axisLabel: { color: "#5b6575", fontSize: 11, interval: 0, rotate: data.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1, splitLine: SPLIT, axisLabel: LABEL },
      series: [
        { name: "检查次数", type: "bar", data: data.inspections.map(function (v, i) {
            return data.zero[i] ? { value: v, itemStyle: { color: RED } } : v;
          }), barMaxWidth: 28, itemStyle: { borderRadius: [3, 3, 0, 0] }, label: { show: true, position: "top", fontSize: 11 } },
        { name: "处罚决定", type: "bar", data: data.penalties, barMaxWidth: 28, itemStyle: { color: GREY, borderRadius: [3, 3, 0, 0] },
          label: { show: true, position: "top", fontSize: 11 } },
      ],
    });
  }

  function rates(el, data) {
    if (!data.categories.length) { empty(el, "统计期间内暂无数据"); return; }
    var chart = init(el);
    chart.setOption({
      animation: ANIMATE,
      color: [RED],
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
        formatter: function (items) {
          var i = items[0].dataIndex;
          var pct = data.percent[i] === null ? "—（无发现问题的检查）" : data.percent[i] + "%";
          return items[0].axisValueLabel + "<br>只检查不处罚率：" + pct +
            "<br>未采取措施 " + data.numerator[i] + " / 发现问题的检查 " + data.denominator[i];
        },
      },
      grid: { left: 8, right: 12, top: 16, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLine: AXIS, axisTick: { alignWithLabel: true },
               axisLabel: { color: "#5b6575", fontSize: 11, interval: 0, rotate: data.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", min: 0, max: 100, splitLine: SPLIT, axisLabel: { color: "#5b6575", formatter: "{value}%" } },
      series: [
        { name: "只检查不处罚率", type: "bar", data: data.percent, barMaxWidth: 28,
          itemStyle: { borderRadius: [3, 3, 0, 0] },
          label: { show: true, position: "top", fontSize: 11, formatter: function (p) { return p.value === null ? "" : p.value + "%"; } } },
      ],
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = readData();
    if (!window.echarts || !data) return;
    var draw = { quarters: quarters, departments: departments, rates: rates };
    document.querySelectorAll("[data-es-chart]").forEach(function (el) {
      var kind = el.dataset.esChart;
      if (draw[kind] && data[kind]) draw[kind](el, data[kind]);
    });
  });
})();
