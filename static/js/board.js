// The room's board: a slide (a picture of tens of kilobytes, fetched once and kept by the
// browser) or a blank page, with what is drawn on it. The server keeps the page shown and the
// strokes; this page asks and draws what it is told. Coordinates are 0..10000 of the page.
(function () {
  "use strict";
  var box = document.getElementById("board");
  var socket = window.roomSocket;
  if (!box || !socket) { return; }
  var msg = box.dataset;
  var lesson = parseInt(msg.lesson, 10);
  var role = msg.role;
  var $ = function (id) { return document.getElementById(id); };
  var view = $("board-view"), picture = $("board-picture"), canvas = $("board-canvas");
  var pen = canvas.getContext("2d");
  var ink = window.boardInk;
  var SCALE = ink.SCALE, SEND_MS = 200, MAX_POINTS = 120;
  var state = { deck: null, page: 0, turner: null, drawers: [] };
  var decks = [], strokes = [], me = null, small = false, roster = [];
  var tool = "pen", colour = "red";
  var board = window.roomBoard = { state: state, strokes: strokes, drawn: 0 };  // for tests

  function ask(event, data) {
    return new Promise(function (resolve, reject) {
      socket.timeout(20000).emit(event, data || {}, function (error, reply) {
        if (error || !reply || reply.error) { reject(reply || { error: "timeout" }); } else { resolve(reply); }
      });
    });
  }
  function say(text) { $("board-error").textContent = text || ""; }
  function refused(reply) {
    var code = reply && reply.error;
    say(code === "too-fast" ? msg.msgTooFast : code === "not-allowed" ? msg.msgNotAllowed : msg.msgRefused);
  }

  function mayTurn() { return role === "advisor" || (me !== null && state.turner === me); }
  function mayDraw() { return state.page > 0 && (role === "advisor" || state.drawers.indexOf(me) >= 0); }
  function deckOf(id) { return decks.filter(function (d) { return d.id === id; })[0] || null; }
  function pages() { var d = deckOf(state.deck); return d ? d.pages : 20; }
  function pageUrl(deck, page, size) { return ink.pageUrl(lesson, deck, page, size); }

  // -- showing -------------------------------------------------------------------------------

  function show() {
    var shown = state.page > 0;
    box.hidden = !shown && role !== "advisor";
    view.hidden = !shown;
    document.querySelector(".stage").classList.toggle("with-board", shown);
    $("board-page").textContent = shown ? msg.msgPage.replace("{page}", state.page).replace("{pages}", pages()) : "";
    $("board-tools").hidden = !mayDraw();
    $("board-turning").hidden = !mayTurn() || !shown;
    $("board-clear").hidden = role !== "advisor";
    if (!shown) { return; }
    if (state.deck === null) {
      picture.hidden = true;
      picture.removeAttribute("src");
      view.classList.add("blank");
      fit();
    } else {
      view.classList.remove("blank");
      picture.hidden = false;
      var url = pageUrl(state.deck, state.page, small ? "small" : "large");
      if (picture.getAttribute("src") !== url) { picture.src = url; } else { fit(); }
      if (state.page < pages()) { new Image().src = pageUrl(state.deck, state.page + 1, small ? "small" : "large"); }
    }
  }
  picture.addEventListener("load", fit);

  function fit() {
    ink.fit(view, picture, canvas, state.deck === null);
    redraw();
  }
  if (window.ResizeObserver) { new ResizeObserver(function () { if (state.page > 0) { fit(); } }).observe(view); }

  function redraw() {
    pen.clearRect(0, 0, canvas.width, canvas.height);
    strokes.forEach(paint);
    if (drawing) { paint(drawing.whole); }
  }

  function paint(stroke) {
    ink.paint(pen, canvas, stroke);
    board.drawn += 1;
  }

  function setBoard(next) {
    state.deck = next.deck; state.page = next.page; state.turner = next.turner; state.drawers = next.drawers || [];
    if (next.strokes) { strokes.length = 0; next.strokes.forEach(function (s) { strokes.push(s); }); }
    board.state = state;
    show();
    showRights();
  }

  // -- the advisor's deck list and who may draw ------------------------------------------------

  function showDecks(list) {
    decks = list;
    var select = $("board-deck");
    if (!select) { return; }
    var chosen = select.value;
    while (select.options.length > 1) { select.remove(1); }
    decks.forEach(function (d) {
      var option = document.createElement("option");
      option.value = String(d.id);
      option.textContent = d.state === "ready" ? d.title + " (" + d.pages + ")"
        : d.title + " — " + (d.state === "rendering" ? msg.msgRendering : msg.msgFailed);
      option.disabled = d.state !== "ready";
      select.appendChild(option);
    });
    select.value = chosen && deckOf(parseInt(chosen, 10)) ? chosen : (state.deck !== null ? String(state.deck) : "");
    if (decks.some(function (d) { return d.state === "rendering"; })) { setTimeout(refreshDecks, 5000); }
  }
  function refreshDecks() { ask("board_decks").then(function (r) { showDecks(r.decks); show(); }).catch(function () {}); }
  socket.on("decks-changed", refreshDecks);

  function showRights() {
    var list = $("board-people");
    if (!list) { return; }
    list.textContent = "";
    roster.filter(function (p) { return p.role === "pupil" || p.role === "classroom"; }).forEach(function (p) {
      var item = document.createElement("li");
      var label = document.createElement("label");
      var draw = document.createElement("input");
      draw.type = "checkbox";
      draw.checked = state.drawers.indexOf(p.id) >= 0;
      draw.addEventListener("change", function () {
        ask("board_allow", { participant: p.id, on: draw.checked }).catch(function (r) { draw.checked = !draw.checked; refused(r); });
      });
      label.appendChild(draw);
      label.appendChild(document.createTextNode(" " + p.name + " — " + msg.msgMayDraw));
      item.appendChild(label);
      if (p.floor) {
        var turn = document.createElement("button");
        turn.type = "button";
        turn.className = "secondary outline";
        var turning = state.turner === p.id;
        turn.textContent = turning ? msg.msgTakeTurning : msg.msgGiveTurning;
        turn.addEventListener("click", function () {
          ask("board_turner", { participant: p.id, on: !turning }).catch(refused);
        });
        item.appendChild(turn);
      }
      list.appendChild(item);
    });
  }
  socket.on("roster", function (people) { roster = people || []; showRights(); });

  // -- turning pages ---------------------------------------------------------------------------

  function turn(deck, page) {
    say("");
    ask("board_show", { deck: deck, page: page }).catch(refused);
  }
  function step(by) {
    if (!mayTurn() || state.page === 0) { return; }
    var page = Math.min(Math.max(1, state.page + by), pages());
    if (page !== state.page) { turn(state.deck, page); }
  }
  $("board-prev").addEventListener("click", function () { step(-1); });
  $("board-next").addEventListener("click", function () { step(1); });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) { return; }
    if (event.key === "ArrowRight" || event.key === "PageDown") { step(1); event.preventDefault(); }
    if (event.key === "ArrowLeft" || event.key === "PageUp") { step(-1); event.preventDefault(); }
  });
  if ($("board-open")) {
    $("board-open").addEventListener("click", function () {
      var chosen = $("board-deck").value;
      turn(chosen ? parseInt(chosen, 10) : null, 1);
      // the camera check is done by now: fold it so the board is within reach
      if ($("preflight")) { $("preflight").open = false; }
    });
    $("board-close").addEventListener("click", function () { turn(null, 0); });
  }

  // -- drawing ---------------------------------------------------------------------------------

  var drawing = null;  // {line, sent: index of the next point to send, whole: the line so far}
  var erasing = null;  // line ids the eraser touched
  var timer = null;

  function lineId() {
    var chars = "abcdefghijklmnopqrstuvwxyz0123456789", id = "";
    for (var i = 0; i < 12; i++) { id += chars[Math.floor(Math.random() * chars.length)]; }
    return id;
  }
  function at(event) {
    var rect = canvas.getBoundingClientRect();
    var x = Math.round((event.clientX - rect.left) / rect.width * SCALE);
    var y = Math.round((event.clientY - rect.top) / rect.height * SCALE);
    return [Math.min(SCALE, Math.max(0, x)), Math.min(SCALE, Math.max(0, y))];
  }
  function widthOf() { return tool === "highlighter" ? 8 : parseInt($("board-width").value, 10) || 4; }

  // A line goes in pieces of at most MAX_POINTS, every SEND_MS while it is drawn; each piece
  // starts at the last point of the one before, so the pieces join.
  function sendPiece(final) {
    if (!drawing) { return; }
    var points = drawing.whole.points;
    var from = Math.max(0, drawing.sent - 2);
    while (points.length - from >= 4 || (final && points.length - from >= 2 && drawing.sent < points.length)) {
      var piece = points.slice(from, from + MAX_POINTS * 2);
      var stroke = { line: drawing.line, tool: drawing.whole.tool, colour: drawing.whole.colour,
                     width: drawing.whole.width, points: piece };
      strokes.push(stroke);
      ask("board_draw", stroke).catch(function (r) { strokes.splice(strokes.indexOf(stroke), 1); redraw(); refused(r); });
      drawing.sent = from + piece.length;
      from = drawing.sent - 2;
      if (drawing.sent >= points.length) { break; }
    }
  }

  function touched(point) {
    var radius = 150;
    strokes.forEach(function (s) {
      if (role !== "advisor" && s.mine === false) { return; }
      for (var i = 0; i < s.points.length; i += 2) {
        if (Math.abs(s.points[i] - point[0]) < radius && Math.abs(s.points[i + 1] - point[1]) < radius) {
          if (erasing.indexOf(s.line) < 0) { erasing.push(s.line); }
          return;
        }
      }
    });
  }

  canvas.addEventListener("pointerdown", function (event) {
    if (!mayDraw()) { return; }
    event.preventDefault();
    var point = at(event);
    if (tool === "text") { askText(point, event); return; }
    canvas.setPointerCapture(event.pointerId);
    if (tool === "eraser") { erasing = []; touched(point); return; }
    drawing = { line: lineId(), sent: 0, whole: { tool: tool, colour: colour, width: widthOf(), points: point.slice() } };
    timer = setInterval(function () { sendPiece(false); }, SEND_MS);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (erasing) { touched(at(event)); return; }
    if (!drawing) { return; }
    var point = at(event), points = drawing.whole.points;
    var n = points.length;
    if (Math.abs(points[n - 2] - point[0]) + Math.abs(points[n - 1] - point[1]) < 15) { return; }
    points.push(point[0], point[1]);
    redraw();
  });
  function finish() {
    if (erasing) {
      var lines = erasing.slice(0, 200);
      erasing = null;
      if (lines.length) { ask("board_erase", { lines: lines }).catch(refused); }
      return;
    }
    if (!drawing) { return; }
    clearInterval(timer);
    sendPiece(true);
    drawing = null;
    redraw();
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  // Text goes where it was clicked, typed in a box laid over the page.
  function askText(point, event) {
    var input = $("board-text");
    var rect = view.getBoundingClientRect();
    input.hidden = false;
    input.value = "";
    input.style.left = (event.clientX - rect.left) + "px";
    input.style.top = (event.clientY - rect.top) + "px";
    input.focus();
    input.onkeydown = function (key) {
      if (key.key === "Escape") { input.hidden = true; }
      if (key.key !== "Enter") { return; }
      key.preventDefault();
      var text = input.value.trim().slice(0, 200);
      input.hidden = true;
      if (!text) { return; }
      var stroke = { line: lineId(), tool: "text", colour: colour, width: parseInt($("board-width").value, 10) || 4, points: point, text: text };
      strokes.push(stroke);
      redraw();
      ask("board_draw", stroke).catch(function (r) { strokes.splice(strokes.indexOf(stroke), 1); redraw(); refused(r); });
    };
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-tool]"), function (button) {
    button.addEventListener("click", function () {
      tool = button.dataset.tool;
      Array.prototype.forEach.call(document.querySelectorAll("[data-tool]"), function (b) {
        b.setAttribute("aria-pressed", String(b === button));
      });
      canvas.classList.toggle("erasing", tool === "eraser");
    });
  });
  $("board-colour").addEventListener("change", function () { colour = $("board-colour").value; });
  $("board-undo").addEventListener("click", function () { ask("board_undo").catch(refused); });
  $("board-clear").addEventListener("click", function () {
    if (window.confirm(msg.msgConfirmClear)) { ask("board_clear").catch(refused); }
  });

  // -- what the server says --------------------------------------------------------------------

  socket.on("board", setBoard);
  socket.on("board-rights", function (rights) { rights.strokes = null; setBoard(rights); });
  socket.on("stroke", function (stroke) {
    if (stroke.deck !== state.deck || stroke.page !== state.page) { return; }
    strokes.push(stroke);
    paint(stroke);
  });
  socket.on("unstroke", function (gone) {
    if (gone.deck !== state.deck || gone.page !== state.page) { return; }
    for (var i = strokes.length - 1; i >= 0; i--) {
      if (gone.lines.indexOf(strokes[i].line) >= 0) { strokes.splice(i, 1); }
    }
    redraw();
  });
  window.addEventListener("room:joined", function (event) {
    var reply = event.detail.reply;
    me = event.detail.me;
    small = small || !!reply.audio_only || !!(navigator.connection && navigator.connection.saveData);
    showDecks(reply.decks || []);
    if (reply.board) { setBoard(reply.board); }
  });
  // A weak link is sent the small pictures from the next page on.
  window.addEventListener("room:picture", function (event) { if (event.detail.picture !== "full") { small = true; } });
  window.addEventListener("room:audio-only", function (event) { if (event.detail.on) { small = true; show(); } });
})();
