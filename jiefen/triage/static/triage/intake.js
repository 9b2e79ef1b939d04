/* Intake proposals: a "use …" button puts the proposed category into the form's select. */
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-set-category]");
    if (!btn) return;
    evt.preventDefault();
    var select = document.getElementById("id_category");
    if (select) {
      select.value = btn.getAttribute("data-set-category");
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
