// 指挥大屏: scale the 1920×1080 stage to the window, tick the Beijing-time clock, and poll the figures
// (the page's own URL with ?format=json) every data-refresh seconds, updating the numbers in place.
(function () {
  "use strict";
  var stage = document.getElementById("zb-screen");
  if (!stage) return;
  var W = 1920, H = 1080, PHONE = 900;

  function fit() {
    var w = window.innerWidth, h = window.innerHeight;
    if (w < PHONE) { stage.style.transform = ""; stage.style.left = ""; stage.style.top = ""; return; }
    var k = Math.min(w / W, h / H);
    stage.style.transform = "scale(" + k + ")";
    stage.style.left = Math.max(0, (w - W * k) / 2) + "px";
    stage.style.top = Math.max(0, (h - H * k) / 2) + "px";
  }
  window.addEventListener("resize", fit);
  fit();

  // Beijing time (UTC+8) whatever the machine's zone; one format: Y-m-d H:i, the seconds beside it.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var clock = stage.querySelector("[data-clock]"), sec = stage.querySelector("[data-clock-sec]");
  function tick() {
    var t = new Date(Date.now() + 8 * 3600 * 1000);
    clock.textContent = t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1) + "-" + pad(t.getUTCDate()) +
      " " + pad(t.getUTCHours()) + ":" + pad(t.getUTCMinutes());
    sec.textContent = ":" + pad(t.getUTCSeconds());
  }
  if (clock && sec) { tick(); window.setInterval(tick, 1000); }

  function set(el, text) {
    if (!el) return;
    text = String(text);
    if (el.textContent !== text) {
      el.textContent = text;
      el.classList.remove("zb-s-flash");
      void el.offsetWidth;  // restart the animation
      el.classList.add("zb-s-flash");
    }
  }
  function heat(el, step) {
    if (!el) return;
    var cls = "zb-s-heat-" + (step === null ? "out" : step);
    var current = (el.getAttribute("class") || "").replace(/zb-s-heat-\S+/g, "").trim();
    el.setAttribute("class", (current + " " + cls).trim());
  }

  function update(d) {
    set(stage.querySelector("[data-updated]"), d.updated);
    set(stage.querySelector("[data-major-total]"), d.major_total);
    set(stage.querySelector("[data-major-top]"), d.major_top);
    d.indicators.forEach(function (t) {
      var tile = stage.querySelector('[data-ind="' + t.id + '"]');
      if (!tile) return;
      set(tile.querySelector("[data-value]"), t.value);
      set(tile.querySelector("[data-unit]"), t.unit);
      tile.className = tile.className.replace(/zb-s-(good|behind|absent|none)\b/, "zb-s-" + t.state);
    });
    d.townships.forEach(function (t) {
      var text = t.count === null ? "—" : t.count;
      stage.querySelectorAll('[data-town="' + t.code + '"]').forEach(function (el) {
        set(el.querySelector("[data-count]"), text);
        heat(el.querySelector(".zb-s-shape"), t.step);
        var bar = el.querySelector("[data-bar]");
        if (bar) { bar.style.width = t.bar + "%"; heat(bar, t.step); }
      });
    });
    d.tasks.forEach(function (y) {
      var row = stage.querySelector('[data-year="' + y.year + '"]');
      if (!row) return;
      set(row.querySelector("[data-done]"), y.done);
      set(row.querySelector("[data-overdue]"), y.overdue);
      set(row.querySelector("[data-total]"), y.total);
      row.querySelector("[data-percent]").style.width = y.percent + "%";
    });
    set(stage.querySelector("[data-total-all]"), d.tasks_total.total);
    set(stage.querySelector("[data-done-all]"), d.tasks_total.done);
    set(stage.querySelector("[data-overdue-all]"), d.tasks_total.overdue);
    var list = stage.querySelector("[data-testid=events]");
    if (list) {
      list.textContent = "";
      d.events.forEach(function (e) {
        var li = document.createElement("li"), time = document.createElement("span"),
          badge = document.createElement("span"), text = document.createElement(e.url ? "a" : "span");
        li.className = "zb-s-event";
        time.className = "zb-s-event-time"; time.textContent = e.time;
        badge.className = "zb-s-badge zb-s-tone-" + e.tone; badge.textContent = e.kind;
        text.className = "zb-s-event-text"; text.textContent = e.text;
        if (e.url) text.setAttribute("href", e.url);
        li.appendChild(time); li.appendChild(badge); li.appendChild(text);
        list.appendChild(li);
      });
    }
  }

  var seconds = parseInt(stage.getAttribute("data-refresh"), 10) || 60;
  function poll() {
    fetch(window.location.pathname + stage.getAttribute("data-source"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
        return r.ok && json ? r.json() : null;  // signed out or refused: keep what is on screen
      })
      .then(function (d) { if (d) update(d); })
      .catch(function () { /* offline: try again at the next turn */ });
  }
  window.setInterval(poll, seconds * 1000);
  window.zbScreenPoll = poll;  // lets a test refresh at once
})();
