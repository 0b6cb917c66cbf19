/* Zhiben (治本): the platform's own script. Pages work without it; it adds charts and small conveniences.

   Charts read their data from a <script type="application/json"> element written by Django's json_script
   filter, never from inline JavaScript built out of user data. */
(function () {
  "use strict";

  // Browser tests (navigator.webdriver) get still charts so screenshots never catch bars mid-growth.
  var ANIMATE = !navigator.webdriver;
  var PALETTE = [
    "#0f4c81", "#2f80c9", "#5fa8d3", "#1a7f4b", "#57b38a", "#e0a526",
    "#d9731f", "#c8102e", "#8e5ea2", "#7a8699", "#3a9ea5", "#b5a642",
  ];

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  /* A stacked bar chart: categories on the x axis, one series per stack member.
     data = {categories: [...], series: [{name: "...", values: [...]}, ...]} */
  function stackedBar(el, data) {
    if (!window.echarts || !data) return null;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: ANIMATE,
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { type: "scroll", top: 0, left: 0, right: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 12, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef0f4" } } },
      series: data.series.map(function (s) {
        return {
          name: s.name, type: "bar", stack: "total", barMaxWidth: 48,
          emphasis: { focus: "series" }, data: s.values,
        };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function initCharts(root) {
    (root || document).querySelectorAll("[data-zb-chart]").forEach(function (el) {
      if (el.dataset.zbReady) return;
      var kind = el.dataset.zbChart;
      var data = readJson(el.dataset.zbData);
      if (kind === "stacked-bar") stackedBar(el, data);
      el.dataset.zbReady = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.addEventListener("htmx:afterSwap", function (evt) { initCharts(evt.target); });

  // Filter bars (data-zb-drop-empty) send only the filters that are set, so the pushed URL stays readable
  // and the export link built from it matches what the user chose. "unknown" is Django's empty yes/no.
  document.addEventListener("htmx:configRequest", function (evt) {
    if (!evt.detail.elt.closest || !evt.detail.elt.closest("[data-zb-drop-empty]")) return;
    var params = evt.detail.parameters;
    Object.keys(params).forEach(function (key) {
      var value = params[key];
      if (value === "" || value === "unknown") delete params[key];
    });
  });

  // Confirmation for destructive or irreversible buttons: <button data-zb-confirm="确定…？">.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-zb-confirm]");
    if (btn && !window.confirm(btn.dataset.zbConfirm)) evt.preventDefault();
  });

  // Long record lists (core.widgets.pick_from: <select data-filter="…">): a search box above the select hides
  // the options whose name does not contain what is typed, and picks the first match; the select still posts.
  function initFilters(root) {
    root.querySelectorAll("select[data-filter]").forEach(function (select) {
      if (select.dataset.zbFilterReady) return;
      select.dataset.zbFilterReady = "1";
      var box = document.createElement("input");
      box.type = "search";
      box.className = "form-control mb-1";
      box.placeholder = select.dataset.filter;
      box.setAttribute("aria-label", select.dataset.filter);
      select.parentNode.insertBefore(box, select);
      box.addEventListener("input", function () {
        var text = box.value.trim();
        var first = null;
        Array.prototype.forEach.call(select.options, function (option) {
          var show = !option.value || !text || option.text.indexOf(text) !== -1;
          option.hidden = !show;
          if (show && option.value && first === null) first = option;
        });
        var current = select.selectedIndex < 0 ? null : select.options[select.selectedIndex];
        if (text && first && (!current || !current.value || current.hidden)) {
          first.selected = true;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initFilters(document); });
  document.addEventListener("htmx:afterSwap", function (evt) { initFilters(evt.target); });

  window.Zhiben = { initCharts: initCharts, stackedBar: stackedBar, initFilters: initFilters };
})();
