// The report page: the finding's fields show only when "disputes found" is chosen.
(function () {
  function sync() {
    var found = document.querySelector("input[name=result][value=found]");
    var box = document.getElementById("insp-found");
    if (found && box) box.hidden = !found.checked;
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "result") sync();
    if (e.target && e.target.id === "insp-unit") e.target.form.submit();
  });
  document.addEventListener("DOMContentLoaded", sync);
})();
