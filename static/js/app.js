// Small behaviours of server-rendered pages; everything works without them, they only help.
(function () {
  "use strict";

  // On a phone the main links start folded into their menu.
  var menu = document.getElementById("site-menu");
  if (menu && window.matchMedia && window.matchMedia("(max-width: 640px)").matches) { menu.open = false; }

  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Follow a running import or export: update the bar, and reload once it has finished.
  var follow = function (prefix) {
    var bar = document.getElementById(prefix + "-progress");
    if (!bar || !bar.dataset.statusUrl) { return; }
    var poll = function () {
      fetch(bar.dataset.statusUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.max = s.total || 1;
          bar.value = s.done;
          var state = document.getElementById(prefix + "-state");
          var count = document.getElementById(prefix + "-count");
          if (state) { state.textContent = s.label; }
          if (count) { count.textContent = s.done + " / " + s.total; }
          if (s.state === "done" || s.state === "failed") { window.location.reload(); }
          else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    if (!["done", "failed"].includes(bar.dataset.state)) { setTimeout(poll, 500); }
  };
  follow("import");
  follow("export");

  // Setting work: the rubric's criteria open when grading by a rubric is chosen.
  var scale = document.getElementById("scale");
  var criteria = document.getElementById("criteria-box");
  if (scale && criteria) {
    scale.addEventListener("change", function () { if (scale.value === "rubric") { criteria.open = true; } });
  }

  // Sending work with files: show how far the upload has gone. Without this script the form is
  // sent as usual; with it, a dropped upload can simply be sent again.
  var workForm = document.getElementById("work-form");
  var fileInput = document.getElementById("files");
  if (workForm && fileInput && window.FormData && window.XMLHttpRequest) {
    var progress = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    workForm.addEventListener("submit", function (event) {
      if (!fileInput.files.length) { return; }
      event.preventDefault();
      var data = new FormData(workForm);
      if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", workForm.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      progress.hidden = false;
      progress.value = 0;
      workForm.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          progress.value = Math.round(e.loaded * 100 / e.total);
          status.textContent = workForm.dataset.msgSending + " " + progress.value + "%";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 204 && xhr.getResponseHeader("X-Location")) {
          window.location.assign(xhr.getResponseHeader("X-Location"));
          return;
        }
        document.open();
        document.write(xhr.responseText);  // the server's page, with its message
        document.close();
      });
      xhr.addEventListener("error", function () {
        progress.hidden = true;
        status.textContent = workForm.dataset.msgDropped;
        workForm.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      });
      xhr.send(data);
    });
  }
})();
