// Small behaviours of server-rendered pages; everything works without them, they only help.
(function () {
  "use strict";

  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Follow a running import: update the bar, and reload once it has finished.
  var bar = document.getElementById("import-progress");
  if (bar && bar.dataset.statusUrl) {
    var poll = function () {
      fetch(bar.dataset.statusUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.max = s.total || 1;
          bar.value = s.done;
          document.getElementById("import-state").textContent = s.label;
          document.getElementById("import-count").textContent = s.done + " / " + s.total;
          if (s.state === "done" || s.state === "failed") { window.location.reload(); }
          else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    if (!["done", "failed"].includes(bar.dataset.state)) { setTimeout(poll, 500); }
  }
})();
