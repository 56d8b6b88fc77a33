// The live room: the advisor publishes to the media engine; listeners take what the engine offers.
(function () {
  "use strict";
  var box = document.getElementById("room");
  if (!box) { return; }
  var lesson = parseInt(box.dataset.lesson, 10);
  var role = box.dataset.role;
  var status = document.getElementById("room-status");
  var video = document.getElementById("main-video");
  var socket = io("/room", { transports: ["websocket"] });
  var pc = null;
  window.roomStats = { framesDecoded: 0, framesSent: 0, state: "new" };

  function say(key) { status.textContent = box.dataset[key] || key; }

  function gathered(peer) {
    // No trickle: wait until every candidate is in the description (well under a second here).
    if (peer.iceGatheringState === "complete") { return Promise.resolve(); }
    return new Promise(function (resolve) {
      peer.addEventListener("icegatheringstatechange", function () {
        if (peer.iceGatheringState === "complete") { resolve(); }
      });
    });
  }

  function ask(event, data) {
    return new Promise(function (resolve, reject) {
      socket.timeout(20000).emit(event, data || {}, function (error, reply) {
        if (error || !reply || reply.error) { reject(reply || error); } else { resolve(reply); }
      });
    });
  }

  function watchStats() {
    setInterval(function () {
      if (!pc) { return; }
      pc.getStats().then(function (report) {
        report.forEach(function (entry) {
          if (entry.type === "inbound-rtp" && entry.kind === "video") { window.roomStats.framesDecoded = entry.framesDecoded || 0; }
          if (entry.type === "outbound-rtp" && entry.kind === "video") { window.roomStats.framesSent = entry.framesSent || 0; }
        });
        window.roomStats.state = pc.connectionState;
      });
    }, 500);
  }

  function newPeer() {
    if (pc) { pc.close(); }
    pc = new RTCPeerConnection({ iceServers: [] });
    pc.addEventListener("connectionstatechange", function () {
      if (pc.connectionState === "failed" || pc.connectionState === "disconnected") { say("msgLost"); }
    });
    return pc;
  }

  function publish() {
    return navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true })
      .then(function (stream) {
        video.srcObject = stream;
        var peer = newPeer();
        stream.getTracks().forEach(function (track) {
          var sender = peer.addTrack(track, stream);
          if (track.kind === "video") {
            // Cap the camera for rural links; the engine forwards what it gets to everyone.
            var parameters = sender.getParameters();
            parameters.encodings = parameters.encodings && parameters.encodings.length ? parameters.encodings : [{}];
            parameters.encodings[0].maxBitrate = parseInt(box.dataset.bitrate, 10);
            sender.setParameters(parameters).catch(function () {});
          }
        });
        return peer.createOffer()
          .then(function (offer) { return peer.setLocalDescription(offer); })
          .then(function () { return gathered(peer); })
          .then(function () { return ask("publish", { sdp: peer.localDescription.sdp }); })
          .then(function (reply) { return peer.setRemoteDescription({ type: "answer", sdp: reply.sdp }); })
          .then(function () { say("msgLive"); });
      })
      .catch(function (error) {
        if (error && error.name === "NotFoundError") { say("msgNoDevice"); }
        else if (error && error.name === "NotAllowedError") { say("msgDenied"); }
        else { say("msgError"); }
      });
  }

  function listen() {
    var peer = newPeer();
    peer.addEventListener("track", function (event) {
      if (event.track.kind === "video" || !video.srcObject) { video.srcObject = event.streams[0] || new MediaStream([event.track]); }
    });
    return ask("subscribe")
      .then(function (reply) { return peer.setRemoteDescription({ type: "offer", sdp: reply.sdp }); })
      .then(function () { return peer.createAnswer(); })
      .then(function (answer) { return peer.setLocalDescription(answer); })
      .then(function () { return gathered(peer); })
      .then(function () { return ask("answer", { sdp: peer.localDescription.sdp }); })
      .then(function () { say("msgWatching"); })
      .catch(function () { say("msgError"); });
  }

  var live = false;  // the advisor started the camera: after a reconnection, publish again by itself
  var button = document.getElementById("start-camera");
  if (button) {
    button.addEventListener("click", function () { button.disabled = true; live = true; publish(); });
  }

  socket.on("connect", function () {
    say("msgConnecting");
    ask("join", { lesson: lesson }).then(function (reply) {
      lines.textContent = "";
      (reply.chat || []).forEach(showLine);
      if (role === "publisher") {
        if (live) { publish(); }
      } else if (reply.publishing) {
        listen();
      } else {
        say("msgWaiting");
      }
    }).catch(function () { say("msgError"); });
  });
  // Chat: lines are put in as text, never as HTML.
  var lines = document.getElementById("chat-lines");
  var chatBox = document.querySelector(".chat");
  function showLine(line) {
    var item = document.createElement("li");
    var author = document.createElement("strong");
    author.textContent = line.author + ": ";
    item.appendChild(author);
    item.appendChild(document.createTextNode(line.text));
    lines.appendChild(item);
    lines.scrollTop = lines.scrollHeight;
  }
  socket.on("chat", showLine);
  document.getElementById("chat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("chat-text");
    var error = document.getElementById("chat-error");
    if (!input.value.trim()) { return; }
    ask("chat", { text: input.value }).then(function () { input.value = ""; error.textContent = ""; })
      .catch(function (reply) {
        error.textContent = (reply && reply.error === "too-fast") ? chatBox.dataset.msgTooFast
          : (reply && reply.error === "too-long") ? chatBox.dataset.msgTooLong : box.dataset.msgError;
      });
  });

  socket.on("publisher-ready", function () { if (role !== "publisher") { listen(); } });
  socket.on("disconnect", function () { say("msgLost"); });
  watchStats();
})();
