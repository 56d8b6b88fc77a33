// The recording's player tells the server what has been played (the browser's own record of
// played ranges, so skipping ahead counts for nothing), every few seconds and when it stops.
(function () {
  "use strict";
  var player = document.getElementById("recording-player");
  if (!player) { return; }
  var watched = document.getElementById("watched");
  var caughtUp = document.getElementById("caught-up");
  var sentLength = -1;

  function played() {
    var ranges = [];
    for (var i = 0; i < player.played.length; i += 1) {
      ranges.push([player.played.start(i), player.played.end(i)]);
    }
    return ranges;
  }

  function report(leaving) {
    var ranges = played();
    var length = ranges.reduce(function (sum, r) { return sum + r[1] - r[0]; }, 0);
    if (length === sentLength) { return; }
    sentLength = length;
    fetch(player.dataset.progressUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!leaving,
      headers: { "Content-Type": "application/json", "X-CSRFToken": player.dataset.csrf },
      body: JSON.stringify({ played: ranges })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer) { return; }
      if (watched) {
        watched.textContent = watched.dataset.template.replace("{share}", Math.round(answer.share * 100) + "%");
      }
      if (caughtUp && answer.caught_up) { caughtUp.hidden = false; }
    }).catch(function () { sentLength = -1; });  // a weak link: the next report carries it all
  }

  setInterval(function () { if (!player.paused) { report(false); } }, 5000);
  player.addEventListener("pause", function () { report(false); });
  player.addEventListener("ended", function () { report(false); });
  window.addEventListener("pagehide", function () { report(true); });
}());
