// The light recording: the lesson's sound with the board in step. The timeline (pages shown and
// strokes, in seconds of the recording) is fetched once; as the sound plays, the page shown at
// that second is put up with what was drawn on it by then. What is played counts for catch-up
// like the video (recording.js reports the player's played ranges).
(function () {
  "use strict";
  var box = document.getElementById("playback");
  var player = document.getElementById("recording-player");
  if (!box || !player || !window.boardInk) { return; }
  var ink = window.boardInk;
  var $ = function (id) { return document.getElementById(id); };
  var view = $("playback-view"), picture = $("playback-picture"), canvas = $("playback-canvas");
  var pen = canvas.getContext("2d");
  var lesson = parseInt(box.dataset.lesson, 10);
  var connection = navigator.connection || {};
  var size = connection.saveData || /2g|3g/.test(connection.effectiveType || "") ? "small" : "large";
  var line = null, shown = null, painted = -1;
  var state = window.roomPlayback = { page: 0, deck: null, strokes: 0 };  // for tests

  function turnAt(second) {
    var current = null;
    for (var i = 0; i < line.turns.length && line.turns[i].at <= second; i += 1) { current = line.turns[i]; }
    return current && current.page > 0 ? current : null;
  }

  // What has changed on the page by then: a stroke drawn or taken away changes it.
  function changesAt(turn, second) {
    return line.strokes.reduce(function (n, s) {
      if (s.deck !== turn.deck || s.page !== turn.page) { return n; }
      return n + (s.at <= second ? 1 : 0) + (s.gone !== null && s.gone <= second ? 1 : 0);
    }, 0);
  }

  function strokesAt(turn, second) {
    return line.strokes.filter(function (s) {
      return s.deck === turn.deck && s.page === turn.page && s.at <= second && (s.gone === null || s.gone > second);
    });
  }

  function paint() {
    pen.clearRect(0, 0, canvas.width, canvas.height);
    if (!shown) { state.strokes = 0; return; }
    var drawn = strokesAt(shown, player.currentTime);
    drawn.forEach(function (s) { ink.paint(pen, canvas, s); });
    state.strokes = drawn.length;
    painted = changesAt(shown, player.currentTime);
  }

  function fit() {
    if (!shown) { return; }
    ink.fit(view, picture, canvas, shown.deck === null);
    paint();
  }
  picture.addEventListener("load", fit);
  if (window.ResizeObserver) { new ResizeObserver(fit).observe(view); }

  function follow() {
    if (!line) { return; }
    var turn = turnAt(player.currentTime);
    if (turn !== shown) {
      shown = turn;
      state.page = turn ? turn.page : 0;
      state.deck = turn ? turn.deck : null;
      view.hidden = !turn;
      $("playback-away").hidden = !!turn || player.currentTime === 0;
      var pages = turn && turn.deck !== null ? line.decks[String(turn.deck)] || 0 : 20;
      $("playback-page").textContent = turn ? box.dataset.msgPage.replace("{page}", turn.page).replace("{pages}", pages) : "";
      if (turn && turn.deck !== null) {
        picture.hidden = false;
        var url = ink.pageUrl(lesson, turn.deck, turn.page, size);
        if (picture.getAttribute("src") !== url) { picture.src = url; } else { fit(); }
      } else if (turn) {
        picture.hidden = true;
        picture.removeAttribute("src");
        fit();
      }
      painted = -1;
    }
    if (shown && changesAt(shown, player.currentTime) !== painted) { paint(); }
  }

  function tick() {
    follow();
    if (!player.paused) { window.requestAnimationFrame(tick); }
  }
  player.addEventListener("play", function () { window.requestAnimationFrame(tick); });
  player.addEventListener("seeked", follow);
  player.addEventListener("timeupdate", follow);

  fetch(box.dataset.timeline, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) { if (data) { line = data; follow(); } });
}());
