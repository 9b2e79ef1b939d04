// "Use my location": fills the optional latitude/longitude fields of a report form from the
// device (nothing is sent anywhere else; the fields stay empty if the person declines).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-locate]") : null;
    if (!btn || !navigator.geolocation) return;
    e.preventDefault();
    var form = btn.form;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
    }, function () { btn.disabled = true; }, { timeout: 10000 });
  });
})();
