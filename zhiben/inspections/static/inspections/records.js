/* Inspection pages: fill the photo form's position from the device when the user allows it (optional;
   the server also reads the camera's EXIF GPS). No inline script, no data from the page. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-zb-geo]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    if (!input || !navigator.geolocation) return;
    input.addEventListener("change", function () {
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
        },
        function () {},
        { enableHighAccuracy: true, timeout: 5000, maximumAge: 60000 }
      );
    });
  });
})();
