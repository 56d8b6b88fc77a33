// A poll in the room: the advisor asks, sees the answers come in, closes and publishes; a pupil
// answers (and may change the answer while the poll is open); a classroom computer answers for
// each pupil it ticked, or its tutor counts hands. The server keeps the poll; this page shows it.
(function () {
  "use strict";
  var box = document.getElementById("poll-box");
  var socket = window.roomSocket;
  if (!box || !socket) { return; }
  var msg = box.dataset;
  var role = msg.role;
  var $ = function (id) { return document.getElementById(id); };
  var plural = new Intl.PluralRules(document.documentElement.lang || "en");
  var poll = null, seats = [], answers = {};  // answers: the classroom's, by pupil id
  window.roomPoll = { get: function () { return poll; } };  // for tests

  function ask(event, data) {
    return new Promise(function (resolve, reject) {
      socket.timeout(20000).emit(event, data || {}, function (error, reply) {
        if (error || !reply || reply.error) { reject(reply || { error: "timeout" }); } else { resolve(reply); }
      });
    });
  }
  function say(text, done) {
    $("poll-message").textContent = text || "";
    $("poll-message").className = done ? "poll-done" : "field-error";
  }
  function refused(reply) {
    var code = reply && reply.error;
    say(code === "too-fast" ? msg.msgTooFast : code === "poll-closed" ? msg.msgClosedNow
      : ["empty", "too-long", "bad-options", "bad-kind"].indexOf(code) >= 0 ? msg.msgBadQuestion : msg.msgRefused);
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function number(value) { return value === null || value === undefined ? "" : value.toLocaleString(document.documentElement.lang || undefined); }
  function answersText(n) {
    var form = plural.select(n);
    var key = "msgAnswers" + form.charAt(0).toUpperCase() + form.slice(1);
    return (msg[key] || msg.msgAnswersOther).replace(/\d+/, String(n));
  }
  function labels(p) { return p.kind === "yes-no" ? [msg.msgYes, msg.msgNo] : p.options; }
  function choosing(p) { return p.kind !== "number"; }

  // -- showing ---------------------------------------------------------------------------------

  function show() {
    var article = $("poll");
    article.hidden = !poll;
    if (!poll) { return; }
    $("poll-shown-question").textContent = poll.question;
    $("poll-state").textContent = "· " + (poll.state === "open" ? msg.msgOpen : poll.state === "closed" ? msg.msgClosed : msg.msgPublished);
    if ($("poll-close")) {
      $("poll-close").hidden = poll.state !== "open";
      $("poll-publish").hidden = poll.state === "published";
    }
    if (role === "pupil") {
      answerForm($("poll-answer"), poll.mine, function (value) { send(value); });
      var mine = poll.mine && (poll.mine.choices ? poll.mine.choices.map(function (c) { return labels(poll)[c]; }).join(", ") : number(poll.mine.number));
      $("poll-mine").textContent = mine && poll.state !== "open" ? msg.msgMine.replace("{answer}", mine) : "";
    }
    if (role === "classroom") { showSeats(); }
    showResults();
  }

  function answerForm(form, given, onAnswer) {
    form.textContent = "";
    form.hidden = poll.state !== "open";
    if (form.hidden) { return; }
    var chosen = (given && given.choices) || [];
    if (poll.kind === "number") {
      var input = el("input");
      input.type = "number"; input.step = "any"; input.inputMode = "decimal";
      input.setAttribute("aria-label", poll.question);
      if (given && given.number !== undefined) { input.value = given.number; }
      var go = el("button", "✓"); go.type = "submit";
      form.appendChild(input); form.appendChild(go);
      form.onsubmit = function (event) {
        event.preventDefault();
        var value = parseFloat(input.value.replace(",", "."));
        if (!isFinite(value)) { input.focus(); return; }
        onAnswer({ number: value });
      };
      return;
    }
    var many = poll.kind === "multiple";
    labels(poll).forEach(function (label, index) {
      if (many) {
        var line = el("label"), tick = el("input");
        tick.type = "checkbox"; tick.value = index; tick.checked = chosen.indexOf(index) >= 0;
        line.appendChild(tick); line.appendChild(document.createTextNode(" " + label));
        form.appendChild(line);
      } else {
        var option = el("button", label, chosen.indexOf(index) >= 0 ? "" : "secondary outline");
        option.type = "button";
        option.setAttribute("aria-pressed", chosen.indexOf(index) >= 0 ? "true" : "false");
        option.addEventListener("click", function () { onAnswer({ choices: [index] }); });
        form.appendChild(option);
      }
    });
    if (many) {
      var sendMany = el("button", "✓"); sendMany.type = "submit";
      form.appendChild(sendMany);
      form.onsubmit = function (event) {
        event.preventDefault();
        var ticked = [].slice.call(form.querySelectorAll("input:checked")).map(function (t) { return parseInt(t.value, 10); });
        if (ticked.length) { onAnswer({ choices: ticked }); }
      };
    } else { form.onsubmit = function (event) { event.preventDefault(); }; }
  }

  function showResults() {
    var area = $("poll-results");
    area.textContent = "";
    var results = poll.results;
    if (!results) {
      if (role !== "advisor" && role !== "observer" && poll.state !== "open") { area.appendChild(el("p", msg.msgWaitResults)); }
      return;
    }
    area.appendChild(el("p", answersText(results.answered), "poll-count"));
    if (choosing(poll)) {
      var table = el("table", null, "poll-results-table");
      labels(poll).forEach(function (label, index) {
        var count = results.counts[index] || 0;
        var row = el("tr");
        row.appendChild(el("th", label));
        var cell = el("td", null, "poll-bar"), bar = el("progress");
        bar.max = Math.max(results.answered, 1); bar.value = count;
        cell.appendChild(bar); row.appendChild(cell);
        row.appendChild(el("td", String(count), "poll-number"));
        table.appendChild(row);
      });
      area.appendChild(table);
    } else if (results.answered) {
      area.appendChild(el("p", msg.msgMedian.replace("{median}", number(results.median))
        .replace("{lowest}", number(results.lowest)).replace("{highest}", number(results.highest))));
      area.appendChild(el("p", results.common.map(function (c) { return number(c[0]) + " (" + c[1] + ")"; }).join(", "), "poll-common"));
    }
  }

  // -- answering -------------------------------------------------------------------------------

  function send(value) {
    ask("poll_answer", Object.assign({ poll: poll.id }, value)).then(function (reply) {
      poll.mine = reply.answer;
      say(msg.msgSaved, true);
      show();
    }).catch(refused);
  }

  function showSeats() {
    var list = $("poll-seats");
    $("poll-classroom").hidden = poll.state !== "open";
    list.textContent = "";
    var present = seats.filter(function (s) { return s.present; });
    if (!present.length) { list.appendChild(el("li", msg.msgNoPupils)); }
    present.forEach(function (seat) {
      var li = el("li", null, "poll-seat");
      li.appendChild(el("span", seat.name, "poll-seat-name"));
      var form = el("form", null, "poll-answer");
      form.dataset.pupil = seat.id;
      li.appendChild(form);
      list.appendChild(li);
      answerForm(form, answers[seat.id], function (value) {
        ask("poll_answer", Object.assign({ poll: poll.id, pupil: seat.id }, value)).then(function (reply) {
          answers[seat.id] = reply.answer;
          say(msg.msgSaved, true);
          showSeats();
        }).catch(refused);
      });
    });
    countsForm();
  }

  function countsForm() {
    var form = $("poll-counts");
    form.textContent = "";
    $("poll-counting").hidden = !choosing(poll);
    if (!choosing(poll)) { return; }
    var counted = poll.counted || {};
    labels(poll).forEach(function (label, index) {
      var line = el("label", label + " ");
      var input = el("input"); input.type = "number"; input.min = 0; input.max = 200; input.value = (counted.counts || [])[index] || 0;
      input.dataset.option = index;
      line.appendChild(input); form.appendChild(line);
    });
    var answered = null;
    if (poll.kind === "multiple") {
      var line = el("label", box.dataset.msgAnsweredLabel || "");
      answered = el("input"); answered.type = "number"; answered.min = 0; answered.value = counted.answered || 0;
      answered.id = "poll-counted-answered";
      line.appendChild(answered); form.appendChild(line);
    }
    var go = el("button", "✓"); go.type = "submit"; form.appendChild(go);
    form.onsubmit = function (event) {
      event.preventDefault();
      var counts = [].slice.call(form.querySelectorAll("input[data-option]")).map(function (i) { return parseInt(i.value, 10) || 0; });
      var data = { poll: poll.id, counts: counts };
      if (answered) { data.answered = parseInt(answered.value, 10) || 0; }
      ask("poll_count", data).then(function (reply) { poll.counted = reply.counted; say(msg.msgCounted, true); })
        .catch(refused);
    };
  }

  // -- asking (the advisor) --------------------------------------------------------------------

  if ($("poll-form")) {
    var kindOf = function () { return $("poll-form").querySelector("input[name=poll-kind]:checked").value; };
    var follow = function () {
      var kind = kindOf();
      $("poll-options-label").hidden = kind !== "single" && kind !== "multiple";
    };
    [].forEach.call($("poll-form").querySelectorAll("input[name=poll-kind]"), function (r) { r.addEventListener("change", follow); });
    follow();
    $("poll-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var kind = kindOf();
      var data = { question: $("poll-question").value, kind: kind };
      if (kind === "single" || kind === "multiple") {
        data.options = $("poll-options").value.split("\n").map(function (o) { return o.trim(); }).filter(Boolean);
      }
      ask("poll_ask", data).then(function () {
        $("poll-question").value = ""; $("poll-options").value = "";
        $("poll-ask").open = false;
        say("");
      }).catch(refused);
    });
    $("poll-close").addEventListener("click", function () { ask("poll_close", { poll: poll.id }).catch(refused); });
    $("poll-publish").addEventListener("click", function () { ask("poll_publish", { poll: poll.id }).catch(refused); });
  }

  // -- the room --------------------------------------------------------------------------------

  socket.on("poll", function (data) {
    var same = poll && poll.id === data.id;
    if (!same) { answers = {}; }
    if (!same || poll.state !== data.state) { say(""); }
    var kept = same ? poll : {};
    poll = Object.assign({ mine: same ? kept.mine : null, counted: same ? kept.counted : null },
      data, { results: data.results || (same ? kept.results : null) });
    show();
  });
  socket.on("poll-results", function (data) {
    if (poll && poll.id === data.id) { poll.results = data.results; showResults(); }
  });
  window.addEventListener("room:joined", function (event) {
    var reply = event.detail.reply;
    poll = reply.poll || null;
    answers = {};
    if (poll && poll.pupils) {
      Object.keys(poll.pupils).forEach(function (id) { answers[id] = poll.pupils[id]; });
    }
    show();
  });
  window.addEventListener("room:pupils", function (event) {
    seats = event.detail.pupils || [];
    if (poll && role === "classroom") { showSeats(); }
  });
})();
