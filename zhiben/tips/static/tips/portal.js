// The public portal's unit search: typing two characters lists registered units (names only, from
// /tips/units/); picking one fills the hidden `enterprise` id, typing again clears it (free text is kept as
// the name of an unregistered unit). No third-party code, no storage, no cookies.
(function () {
  "use strict";
  var input = document.querySelector("[data-units-url]");
  if (!input) return;
  var list = document.querySelector("[data-testid=unit-suggestions]");
  var hidden = document.querySelector("input[name=enterprise]");
  var timer = null;
  var asked = "";

  function clear() {
    list.innerHTML = "";
    list.classList.add("d-none");
  }

  function show(results) {
    clear();
    results.forEach(function (unit) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action";
      button.setAttribute("role", "option");
      button.textContent = unit.name;
      button.addEventListener("click", function () {
        input.value = unit.name;
        hidden.value = String(unit.id);
        clear();
      });
      list.appendChild(button);
    });
    if (results.length) list.classList.remove("d-none");
  }

  input.addEventListener("input", function () {
    hidden.value = "";
    var q = input.value.trim();
    if (timer) clearTimeout(timer);
    if (q.length < 2) { clear(); return; }
    timer = setTimeout(function () {
      asked = q;
      fetch(input.dataset.unitsUrl + "?q=" + encodeURIComponent(q), {
        credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store"
      })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) { if (asked === input.value.trim()) show(body.results || []); })
        .catch(clear);
    }, 250);
  });
  document.addEventListener("click", function (e) {
    if (e.target !== input && !list.contains(e.target)) clear();
  });
})();
