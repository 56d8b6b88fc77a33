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

  // Setting work or a lesson: the plan's topics, and the pupils to choose from, are those of
  // the cohort and subject chosen (a chosen one that no longer fits is let go).
  var teaching = document.getElementById("teaching");
  if (teaching) {
    var narrow = function () {
      var topic = document.getElementById("topic");
      if (topic) {
        topic.querySelectorAll("option[data-teaching]").forEach(function (option) {
          var fits = option.dataset.teaching === teaching.value;
          option.hidden = option.disabled = !fits;
          if (!fits && option.selected) { topic.value = "0"; }
        });
        topic.querySelectorAll("optgroup").forEach(function (group) {
          group.hidden = !group.querySelector("option:not([hidden])");
        });
      }
      document.querySelectorAll("#pupil-picker li[data-teachings]").forEach(function (item) {
        var fits = item.dataset.teachings.split(" ").indexOf(teaching.value) >= 0;
        item.hidden = !fits;
        if (!fits) { item.querySelector("input").checked = false; }
      });
    };
    teaching.addEventListener("change", narrow);
    narrow();
  }

  // Grading by a rubric: the total of the points as they are typed.
  document.querySelectorAll("table[data-rubric-total]").forEach(function (table) {
    var out = table.querySelector("output");
    var update = function () {
      var sum = 0;
      table.querySelectorAll("input[type=number]").forEach(function (input) {
        var value = parseFloat(input.value);
        if (isFinite(value)) { sum += value; }
      });
      out.textContent = String(Math.round(sum * 100) / 100).replace(".", out.dataset.decimal || ".");
    };
    table.addEventListener("input", update);
    update();
  });

  // A "join" button of a room not open yet becomes a link by itself when the room opens. The
  // server says how many seconds are left: the computer's own clock may be wrong.
  document.querySelectorAll("[data-opens-in]").forEach(function (button) {
    var opensAt = performance.now() + parseFloat(button.dataset.opensIn) * 1000;
    var check = function () {
      if (performance.now() < opensAt) { setTimeout(check, Math.min(15000, opensAt - performance.now() + 50)); return; }
      var link = document.createElement("a");
      link.href = button.dataset.href;
      link.setAttribute("role", "button");
      link.className = "join-room";
      link.textContent = button.dataset.openLabel || button.textContent;
      button.replaceWith(link);
    };
    check();
  });
})();
