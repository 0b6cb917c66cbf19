// 四色图 editor: click the plan to place a zone's vertices (fractions of the plan), then save the form.
(function () {
  "use strict";
  var map = document.getElementById("risk-map");
  var draft = document.getElementById("risk-draft");
  if (!map || !draft) return;
  var active = null;
  var vertices = [];
  function show() {
    draft.setAttribute("points", vertices.map(function (v) { return v[0] + "," + v[1]; }).join(" "));
  }
  document.querySelectorAll(".risk-zone-form").forEach(function (form) {
    var draw = form.querySelector(".risk-draw");
    var save = form.querySelector(".risk-save");
    draw.addEventListener("click", function () {
      document.querySelectorAll(".risk-save").forEach(function (b) { b.disabled = true; });
      active = form;
      vertices = [];
      show();
      map.style.cursor = "crosshair";
      map.scrollIntoView({ behavior: "smooth", block: "center" });
    });
    form.addEventListener("submit", function () {
      form.querySelector("input[name=zone]").value = JSON.stringify(vertices);
    });
    save.dataset.form = "1";
  });
  map.addEventListener("click", function (event) {
    if (!active) return;
    var box = map.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width;
    var y = (event.clientY - box.top) / box.height;
    vertices.push([Math.round(x * 10000) / 10000, Math.round(y * 10000) / 10000]);
    show();
    active.querySelector(".risk-save").disabled = vertices.length < 3;
  });
})();
