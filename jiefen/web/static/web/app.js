/* jiefen staff pages: small behaviours on top of server-rendered HTML (no framework). */
(function () {
  "use strict";

  // Region picker: a select marked data-children asks for its children with ?parent=<code>.
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.matches && elt.matches("select[data-children]")) {
      evt.detail.parameters["parent"] = elt.value;
    }
  });

  // Choosing a county empties the village list until a town is chosen again.
  document.addEventListener("change", function (evt) {
    var elt = evt.target;
    if (!elt.matches || !elt.matches("[data-clears]")) return;
    elt.getAttribute("data-clears").split(" ").forEach(function (id) {
      var target = document.getElementById(id);
      if (target) {
        var first = target.querySelector("option");
        target.innerHTML = "";
        if (first) {
          first.selected = true;
          first.value = "";
          target.appendChild(first);
        }
      }
    });
  });

  // Selects that submit their form when changed (data-autosubmit).
  document.addEventListener("change", function (evt) {
    var elt = evt.target;
    if (elt.matches && elt.matches("select[data-autosubmit]") && elt.form) {
      elt.form.submit();
    }
  });

  // Print buttons.
  document.addEventListener("click", function (evt) {
    var elt = evt.target.closest && evt.target.closest("[data-print]");
    if (elt) {
      evt.preventDefault();
      window.print();
    }
  });

  // Confirm before irreversible actions (buttons with data-confirm).
  document.addEventListener("submit", function (evt) {
    var btn = evt.submitter;
    if (btn && btn.hasAttribute("data-confirm") && !window.confirm(btn.getAttribute("data-confirm"))) {
      evt.preventDefault();
    }
  });
})();
