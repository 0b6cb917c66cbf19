/* The clause picker of the hazard forms: turns a <select data-clause-search> (every citable clause, the
   no-JavaScript fallback) into a search box that asks the clause lookup (JSON, login required) as one types,
   with the standards of the hazard's industry first. The select stays in the form, hidden, and still posts
   the clause id, so what is stored does not change. No inline script, no data from the page but the
   select's own attributes and options. */
(function () {
  "use strict";

  var seq = 0;

  function debounce(fn, ms) {
    var t = null;
    return function () {
      var args = arguments;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function enhance(select) {
    if (select.dataset.clausePickerReady) return;
    select.dataset.clausePickerReady = "1";
    var id = ++seq;
    var form = select.form;
    var url = select.dataset.clauseSearch;
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;

    var box = el("div", "zb-clause-picker position-relative");
    var group = el("div", "input-group");
    var input = el("input", "form-control");
    input.type = "search";
    input.id = (select.id || "clause") + "_search";
    input.autocomplete = "off";
    input.placeholder = "输入条款编号或关键词检索，如 粉尘、第七条";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "zb-clause-list-" + id);
    input.setAttribute("data-testid", "clause-search");
    var clear = el("button", "btn btn-outline-secondary", "清除");
    clear.type = "button";
    group.appendChild(input);
    group.appendChild(clear);
    var list = el("ul", "list-group position-absolute w-100 shadow-sm zb-clause-list");
    list.id = "zb-clause-list-" + id;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    list.style.zIndex = "1050";
    list.style.maxHeight = "60vh";
    list.style.overflowY = "auto";
    var chosen = el("div", "form-text text-body");
    chosen.setAttribute("data-testid", "clause-chosen");
    chosen.setAttribute("aria-live", "polite");
    box.appendChild(group);
    box.appendChild(list);
    box.appendChild(chosen);
    select.parentNode.insertBefore(box, select);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    if (label) label.setAttribute("for", input.id);

    var rows = [];
    var active = -1;

    function showChosen() {
      var opt = select.options[select.selectedIndex];
      var has = opt && opt.value;
      chosen.textContent = has ? "已选：" + opt.textContent : "未选择条款";
      clear.disabled = !has;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(row) {
      var value = String(row.id);
      var found = false;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) { found = true; break; }
      }
      if (!found) select.appendChild(new Option(row.label, value));
      select.value = value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      showChosen();
      close();
    }

    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (li, n) {
        li.classList.toggle("active", n === i);
        li.setAttribute("aria-selected", n === i ? "true" : "false");
      });
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      }
    }

    function render(data) {
      rows = data;
      list.textContent = "";
      if (!data.length) {
        list.appendChild(el("li", "list-group-item small text-body-secondary", "没有匹配的条款"));
      }
      var heading = null;
      data.forEach(function (row, n) {
        var h = row.applies ? "本行业适用的标准" : "其他标准";
        if (h !== heading && data.some(function (r) { return r.applies; })) {
          heading = h;
          list.appendChild(el("li", "list-group-item list-group-item-light small fw-semibold py-1", h));
        }
        var li = el("li", "list-group-item list-group-item-action small");
        li.id = "zb-clause-" + id + "-" + n;
        li.setAttribute("role", "option");
        li.style.cursor = "pointer";
        li.appendChild(el("div", "", row.label));
        if (row.pending) li.appendChild(el("div", "text-warning-emphasis", row.pending));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(row); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    var last = 0;
    function search() {
      var params = new URLSearchParams();
      params.set("q", input.value.trim());
      if (select.dataset.industry) params.set("industry", select.dataset.industry);
      var field = select.dataset.enterpriseField;
      var ent = field && form ? form.querySelector('[name="' + field + '"]') : null;
      if (ent && /^\d+$/.test(ent.value)) params.set("enterprise", ent.value);
      var mine = ++last;
      fetch(url + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) { if (mine === last) render(Array.isArray(data) ? data : []); })
        .catch(function () { if (mine === last) render([]); });
    }
    var later = debounce(search, 200);

    input.addEventListener("input", later);
    input.addEventListener("focus", search);
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (e) {
      var n = list.querySelectorAll("[role=option]").length;
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) search(); else highlight(Math.min(active + 1, n - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter") {
        if (!list.hidden && active >= 0 && rows[active]) { e.preventDefault(); choose(rows[active]); }
        else if (!list.hidden) { e.preventDefault(); }
      } else if (e.key === "Escape") { close(); }
    });
    clear.addEventListener("click", function () {
      select.value = "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      showChosen();
      input.focus();
    });
    showChosen();
  }

  function init(root) {
    (root || document).querySelectorAll("select[data-clause-search]").forEach(enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
