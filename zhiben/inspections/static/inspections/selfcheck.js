// 记录自查: choose a checklist without a extra click, add finding rows, and record where the photos were taken.
(function () {
  "use strict";

  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var addButton = document.querySelector("[data-add-finding]");
  var template = document.getElementById("finding-template");
  var total = document.getElementById("id_findings-TOTAL_FORMS");
  if (addButton && template && total) {
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      document.getElementById("findings").appendChild(holder.firstElementChild);
      total.value = String(index + 1);
    });
  }

  // The browser's position at the moment of the first photo wins over what the camera wrote (server side).
  var status = document.querySelector("[data-geo-status]");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var asked = false;
  function locate() {
    if (asked || !lat || !lon) { return; }
    asked = true;
    if (!("geolocation" in navigator)) {
      if (status) { status.textContent = "此浏览器不支持定位，将使用照片自带的位置（如有）。"; }
      return;
    }
    if (status) { status.textContent = "正在获取位置……"; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      if (status) { status.textContent = "已记录位置：" + lat.value + ", " + lon.value + "（精度约 " + Math.round(pos.coords.accuracy) + " 米）"; }
    }, function () {
      if (status) { status.textContent = "未获得定位授权，将使用照片自带的位置（如有）。"; }
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  document.querySelectorAll("[data-geolocate]").forEach(function (input) {
    input.addEventListener("change", locate);
  });
})();
