// The board's drawing, shared by the live room (board.js) and the light recording's playback
// (playback.js): a page's picture, the canvas over it, and a stroke painted on the canvas.
// Coordinates are 0..SCALE of the page's width and height.
(function () {
  "use strict";
  var SCALE = 10000;
  var COLOURS = { black: "#1b1b1b", red: "#d62828", blue: "#1d4ed8", green: "#15803d", orange: "#ea580c", yellow: "#facc15" };

  function pageUrl(lesson, deck, page, size) {
    return "/lessons/" + lesson + "/slides/" + deck + "/" + page + "-" + size + ".webp";
  }

  function paint(pen, canvas, stroke) {
    var w = canvas.width, h = canvas.height, p = stroke.points;
    var unit = w / 1000;  // a width of 4 is 4 pixels on a page 1000 pixels wide
    pen.save();
    pen.fillStyle = pen.strokeStyle = COLOURS[stroke.colour] || "#000";
    if (stroke.tool === "text") {
      pen.font = Math.max(10, stroke.width * 6 * unit) + "px sans-serif";
      pen.textBaseline = "middle";
      pen.fillText(stroke.text || "", p[0] / SCALE * w, p[1] / SCALE * h);
      pen.restore();
      return;
    }
    pen.globalAlpha = stroke.tool === "highlighter" ? 0.35 : 1;
    pen.lineWidth = Math.max(1, stroke.width * unit * (stroke.tool === "highlighter" ? 3 : 1));
    pen.lineCap = pen.lineJoin = "round";
    pen.beginPath();
    pen.moveTo(p[0] / SCALE * w, p[1] / SCALE * h);
    for (var i = 2; i < p.length; i += 2) { pen.lineTo(p[i] / SCALE * w, p[i + 1] / SCALE * h); }
    if (p.length === 2) { pen.lineTo(p[0] / SCALE * w + 0.1, p[1] / SCALE * h); }
    pen.stroke();
    pen.restore();
  }

  // The canvas lies over the picture at its shown size, in the screen's own pixels; a blank page
  // is 4:3.
  function fit(view, picture, canvas, blank) {
    var width = view.clientWidth;
    var height = blank ? Math.round(width * 3 / 4)
      : (picture.naturalWidth ? Math.round(width * picture.naturalHeight / picture.naturalWidth) : 0);
    view.style.height = blank ? height + "px" : "";
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
  }

  window.boardInk = { SCALE: SCALE, pageUrl: pageUrl, paint: paint, fit: fit };
}());
