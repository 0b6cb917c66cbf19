/* 隐患统计分析: the dashboard's three charts (trend line, closure funnel, ageing bars).

   Data comes from the <script type="application/json" id="hazard-stats-data"> element that Django's
   json_script writes; the same numbers are in the tables under each chart, so the page reads without it. */
(function () {
  "use strict";

  var ANIMATE = !navigator.webdriver; // still charts for browser tests and screenshots
  var BRAND = "#0f4c81";
  var BRAND_LIGHT = "#5fa8d3";
  var GREY = "#9aa4b2";
  var RED = "#c8102e";
  var AMBER = "#e0a526";
  var AXIS = { lineStyle: { color: "#cfd6e0" } };
  var SPLIT = { lineStyle: { color: "#eef0f4" } };

  function readData() {
    var el = document.getElementById("hazard-stats-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function init(el) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function trend(el, data) {
    var chart = init(el);
    chart.setOption({
      animation: ANIMATE,
      color: [RED, GREY],
      tooltip: {
        trigger: "axis",
        confine: true,
        formatter: function (items) {
          var i = items[0].dataIndex;
          var change = data.change[i];
          var lines = [items[0].axisValueLabel];
          items.forEach(function (it) { lines.push(it.marker + it.seriesName + "：" + it.value + " 项"); });
          lines.push("同比：" + (change === null ? "—（上年同期为 0）" : (change > 0 ? "+" : "") + change + "%"));
          return lines.join("<br>");
        },
      },
      legend: { top: 0, left: 0, itemWidth: 16, itemHeight: 8, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.categories, boundaryGap: false, axisLine: AXIS, axisTick: { show: false },
               axisLabel: { color: "#5b6575", fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1, splitLine: SPLIT, axisLabel: { color: "#5b6575" } },
      series: [
        {
          name: "新增重大隐患", type: "line", data: data.current, smooth: 0.25, symbolSize: 7,
          lineStyle: { width: 3 }, label: { show: true, position: "top", color: RED, fontWeight: 600 },
          areaStyle: { color: { type: "linear", x: 0, y: 0, x2: 0, y2: 1,
            colorStops: [{ offset: 0, color: "rgba(200,16,46,0.20)" }, { offset: 1, color: "rgba(200,16,46,0.01)" }] } },
        },
        {
          name: "上年同期", type: "line", data: data.yearBefore, smooth: 0.25, symbolSize: 5,
          lineStyle: { width: 2, type: "dashed" },
        },
      ],
    });
  }

  function funnel(el, data) {
    var chart = init(el);
    var first = data.length ? data[0].value : 0;
    chart.setOption({
      animation: ANIMATE,
      color: [BRAND, "#2f80c9", BRAND_LIGHT, "#57b38a", "#1a7f4b"],
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (p) {
          var share = first ? Math.round(p.value * 1000 / first) / 10 + "%" : "—";
          return p.marker + p.name + "：" + p.value + " 项<br>占登记数：" + share;
        },
      },
      series: [{
        type: "funnel", sort: "none", left: "6%", right: "6%", top: 8, bottom: 8, minSize: "18%", gap: 3,
        label: { show: true, position: "inside", color: "#fff", fontSize: 13,
                 formatter: function (p) { return p.name + "  " + p.value; } },
        labelLine: { show: false },
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        emphasis: { label: { fontWeight: 600 } },
        data: data,
      }],
    });
  }

  function ageing(el, data) {
    var chart = init(el);
    chart.setOption({
      animation: ANIMATE,
      color: [AMBER, RED],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 12, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLine: AXIS, axisTick: { alignWithLabel: true },
               axisLabel: { color: "#5b6575", fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1, splitLine: SPLIT, axisLabel: { color: "#5b6575" } },
      series: [
        { name: "在办隐患（自发现起）", type: "bar", data: data.open, barMaxWidth: 26, barGap: "20%",
          itemStyle: { borderRadius: [3, 3, 0, 0] }, label: { show: true, position: "top", fontSize: 11 } },
        { name: "逾期隐患（自期限起）", type: "bar", data: data.overdue, barMaxWidth: 26,
          itemStyle: { borderRadius: [3, 3, 0, 0] }, label: { show: true, position: "top", fontSize: 11 } },
      ],
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = readData();
    if (!window.echarts || !data) return;
    var draw = { trend: trend, funnel: funnel, ageing: ageing };
    document.querySelectorAll("[data-hz-chart]").forEach(function (el) {
      var kind = el.dataset.hzChart;
      if (draw[kind] && data[kind]) draw[kind](el, data[kind]);
    });
    // A chart drawn inside a hidden tab has no size; redraw when a tab is shown.
    document.addEventListener("shown.bs.tab", function () {
      document.querySelectorAll("[data-hz-chart]").forEach(function (el) {
        var chart = window.echarts.getInstanceByDom(el);
        if (chart) chart.resize();
      });
    });
  });
})();
