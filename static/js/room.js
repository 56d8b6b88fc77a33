// The live room. Sources (the advisor's camera, a shared screen, whoever has the floor) publish to
// the media engine; every other participant holds one peer connection per source, offered by the
// engine. The server's record decides who may do what: this page only asks.
(function () {
  "use strict";
  // Waiting before the room opens: come in by itself then (the server counts the time: a school
  // computer's clock may be wrong). Far off, look again in an hour.
  var waiting = document.getElementById("room-waiting");
  if (waiting && waiting.dataset.opensIn) {
    var wait = Math.min(parseFloat(waiting.dataset.opensIn) + 1, 3600);
    setTimeout(function () { window.location.reload(); }, Math.max(2, wait) * 1000);
  }
  var box = document.getElementById("room");
  if (!box) { return; }
  var msg = box.dataset;
  var lesson = parseInt(msg.lesson, 10);
  var role = msg.role;
  var $ = function (id) { return document.getElementById(id); };
  var status = $("room-status");
  var mainVideo = $("main-video");
  var screenVideo = $("screen-video");
  // The lesson in the address lets nginx keep a lesson's sockets on one instance (deploy/nginx).
  var iceServers = [];   // STUN and TURN with this lesson's credentials, from the join answer
  var everConnected = false;  // a connection to the engine worked once on this page
  var socket = io("/room", { transports: ["websocket"], query: { lesson: String(lesson) } });
  var me = null;
  var removed = false;
  var roster = [];
  var sources = {};      // source id -> {id, owner, name, kind, epoch, kinds}
  var subs = {};         // source id -> {pc, epoch, stream, bytes, changed}
  var publishers = {};   // "camera" | "screen" -> peer connection
  var wanted = { camera: false, screen: false };  // published before a reconnection: again after it
  var localStream = null;
  var screenStream = null;
  var audioOnly = false;
  var floor = null;      // {camera: bool} while this pupil or classroom has the floor
  var stats = window.roomStats = { framesDecoded: 0, framesSent: 0, state: "new", audio: {}, resubscribed: 0 };
  // The board and the polls (board.js, polls.js) share this socket, and follow the room (the
  // join, the link's picture, the classroom's ticks) through the events told here.
  window.roomSocket = socket;
  function tellScripts(name, detail) { window.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  // A shared screen takes the stage; the camera goes small beside it.
  function showScreen(on) {
    screenVideo.hidden = !on;
    if (!on) { screenVideo.srcObject = null; }
    document.querySelector(".stage").classList.toggle("sharing", on);
  }

  function say(key) { status.textContent = msg[key] || key; }
  function text(key) { return msg[key] || key; }

  function ask(event, data) {
    return new Promise(function (resolve, reject) {
      socket.timeout(20000).emit(event, data || {}, function (error, reply) {
        if (error || !reply || reply.error) { reject(reply || { error: "timeout" }); } else { resolve(reply); }
      });
    });
  }

  function gathered(peer) {
    // No trickle: wait until every candidate is in the description (well under a second here).
    if (peer.iceGatheringState === "complete") { return Promise.resolve(); }
    return new Promise(function (resolve) {
      peer.addEventListener("icegatheringstatechange", function () {
        if (peer.iceGatheringState === "complete") { resolve(); }
      });
    });
  }

  // -- pre-flight: devices, a preview and a level meter ------------------------------------------

  var cameraSelect = $("camera-select");
  var micSelect = $("mic-select");
  var meter = $("mic-level");
  var meterStop = null;

  function deviceError(error) {
    var name = error && error.name;
    var key = (name === "NotFoundError" || name === "OverconstrainedError") ? "msgNoDevice"
      : (name === "NotAllowedError" || name === "SecurityError") ? "msgDenied"
      : (name === "NotReadableError" || name === "AbortError") ? "msgBusy" : "msgError";
    $("device-error").textContent = text(key);
    $("preflight").open = true;
    say(key);
  }

  function fillDevices() {
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      [[cameraSelect, "videoinput"], [micSelect, "audioinput"]].forEach(function (pair) {
        var select = pair[0];
        var chosen = select.value;
        while (select.options.length > 1) { select.remove(1); }
        devices.filter(function (d) { return d.kind === pair[1] && d.deviceId; }).forEach(function (d, i) {
          var option = new Option(d.label || (pair[1] + " " + (i + 1)), d.deviceId);
          select.add(option);
        });
        select.value = chosen;
      });
    });
  }

  function levelMeter(stream) {
    if (meterStop) { meterStop(); }
    var track = stream.getAudioTracks()[0];
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!track || !Context) { return; }
    var context = new Context();
    var analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    var samples = new Float32Array(analyser.fftSize);
    var timer = setInterval(function () {
      analyser.getFloatTimeDomainData(samples);
      var sum = 0;
      for (var i = 0; i < samples.length; i++) { sum += samples[i] * samples[i]; }
      meter.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
    }, 100);
    meterStop = function () { clearInterval(timer); context.close(); meter.value = 0; };
  }

  function openDevices(video) {
    var camera = cameraSelect.value;
    var mic = micSelect.value;
    var constraints = {
      audio: mic ? { deviceId: { exact: mic } } : true,
      video: video ? Object.assign({ width: 640, height: 360 }, camera ? { deviceId: { exact: camera } } : {}) : false
    };
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject({ name: "NotFoundError" });
    }
    return navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
      stopLocal();
      localStream = stream;
      $("preview").srcObject = stream;
      $("device-error").textContent = "";
      levelMeter(stream);
      fillDevices();
      return stream;
    });
  }

  function stopLocal() {
    if (localStream) { localStream.getTracks().forEach(function (t) { t.stop(); }); }
    localStream = null;
    if (meterStop) { meterStop(); meterStop = null; }
  }

  $("check-devices").addEventListener("click", function () {
    openDevices(true).then(function () { if (role !== "advisor" && !floor) { say("msgWatching"); } }).catch(deviceError);
  });
  [cameraSelect, micSelect].forEach(function (select) {
    select.addEventListener("change", function () {
      if (!localStream) { return; }
      openDevices(role === "advisor" || (floor && floor.camera)).then(function (stream) {
        if (publishers.camera) { publish("camera", stream); }
      }).catch(deviceError);
    });
  });

  // -- the connection check: what this computer's link carries, kept as the school's -------------

  var linkCheck = $("link-check");
  var linkButton = $("check-link");

  function timed(url, options) {
    var started = performance.now();
    return fetch(url, Object.assign({ cache: "no-store", credentials: "same-origin" }, options || {}))
      .then(function (response) {
        if (!response.ok) { throw response; }
        return response.arrayBuffer();
      })
      .then(function () { return Math.max(1, performance.now() - started); });
  }

  function randomBytes(size) {
    var bytes = new Uint8Array(size);
    for (var at = 0; at < size; at += 65536) { crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536))); }
    return bytes;
  }

  // kilobytes in so many milliseconds, as kbit/s (one bit a millisecond is one kbit/s)
  function rate(kb, ms) { return Math.max(1, Math.round(kb * 8192 / ms)); }

  linkButton.addEventListener("click", function () {
    var out = $("link-result");
    var sample = linkCheck.dataset.sample;
    var down, up, size;
    linkButton.disabled = true;
    out.textContent = linkCheck.dataset.msgMeasuring;
    // A first small sample sizes the second to about two seconds: a slow link is not kept long.
    timed(sample + "?kb=16")
      .then(function (ms) {
        size = Math.min(512, Math.max(16, Math.round(rate(16, ms) * 2 / 8)));
        return timed(sample + "?kb=" + size);
      })
      .then(function (ms) {
        down = rate(size, ms);
        size = Math.min(256, Math.max(16, Math.round(down / 8)));  // about a second, up being slower
        return timed(sample, {
          method: "POST", body: randomBytes(size * 1024),
          headers: { "Content-Type": "application/octet-stream", "X-CSRFToken": linkCheck.dataset.csrf }
        });
      })
      .then(function (ms) {
        up = rate(size, ms);
        return ask("link_check", { down_kbps: down, up_kbps: up });
      })
      .then(function (reply) {
        stats.link = { down: down, up: up, picture: reply.picture };
        var lang = document.documentElement.lang || undefined;
        out.textContent = linkCheck.dataset.msgRates.replace("{down}", down.toLocaleString(lang))
          .replace("{up}", up.toLocaleString(lang)) + " " +
          linkCheck.dataset["msg" + reply.picture.charAt(0).toUpperCase() + reply.picture.slice(1)];
      })
      .catch(function () { out.textContent = linkCheck.dataset.msgFailed; })
      .then(function () { linkButton.disabled = false; });
  });

  // -- one's own microphone and camera (the advisor, or whoever has the floor) ---------------------

  // Turned off, a track stays on its connection, silent or dark: turning it on again is instant
  // and needs no new connection. The others' lists say so.
  var own = { microphone: true, camera: true };
  var micButton = $("toggle-mic");
  var cameraButton = $("toggle-camera");

  function applyOwn(stream) {
    if (!stream) { return; }
    stream.getAudioTracks().forEach(function (t) { t.enabled = own.microphone; });
    stream.getVideoTracks().forEach(function (t) { t.enabled = own.camera; });
    if (smallCamera) { smallCamera.enabled = own.camera; }
  }

  function showOwnControls() {
    var live = !!(localStream && publishers.camera);
    micButton.hidden = !live;
    cameraButton.hidden = !(live && localStream.getVideoTracks().length);
    micButton.textContent = text(own.microphone ? "msgMicOff" : "msgMicOn");
    cameraButton.textContent = text(own.camera ? "msgCameraOff" : "msgCameraOn");
    micButton.setAttribute("aria-pressed", String(!own.microphone));
    cameraButton.setAttribute("aria-pressed", String(!own.camera));
  }

  function tellOwn() {
    if (socket.connected && me) {
      ask("media_state", { microphone: own.microphone, camera: own.camera }).catch(function () {});
    }
  }

  function setOwn(kind, on) {
    own[kind] = on;
    applyOwn(localStream);
    showOwnControls();
    tellOwn();
  }
  micButton.addEventListener("click", function () { setOwn("microphone", !own.microphone); });
  cameraButton.addEventListener("click", function () { setOwn("camera", !own.camera); });

  // -- publishing --------------------------------------------------------------------------------

  function capBitrate(sender, kbps) {
    var parameters = sender.getParameters();
    parameters.encodings = parameters.encodings && parameters.encodings.length ? parameters.encodings : [{}];
    parameters.encodings[0].maxBitrate = kbps * 1000;
    return sender.setParameters(parameters).catch(function () {});
  }

  // The advisor's camera goes out twice: as set for the lesson, and small (a quarter of the
  // size, 15 frames a second, 120 kbit/s) for pupils whose link cannot carry more. The engine
  // gives each pupil the one their link carries (rooms/media/links.py).
  var smallCamera = null;

  function sendSmall(peer, track) {
    if (smallCamera) { smallCamera.stop(); }
    smallCamera = track.clone();
    smallCamera.enabled = own.camera;
    var sender = peer.addTrack(smallCamera);
    var parameters = sender.getParameters();
    parameters.encodings = parameters.encodings && parameters.encodings.length ? parameters.encodings : [{}];
    parameters.encodings[0].scaleResolutionDownBy = 2;
    parameters.encodings[0].maxFramerate = 15;
    parameters.encodings[0].maxBitrate = 120000;
    sender.setParameters(parameters).catch(function () {});
  }

  function publish(kind, stream) {
    if (publishers[kind]) { publishers[kind].close(); }
    if (kind === "camera") { applyOwn(stream); }
    var peer = new RTCPeerConnection({ iceServers: iceServers });
    publishers[kind] = peer;
    stream.getTracks().forEach(function (track) {
      var sender = peer.addTrack(track, stream);
      // Cap the camera for rural links: the engine forwards what it gets to everyone.
      if (track.kind === "video") { capBitrate(sender, kind === "camera" ? parseInt(msg.kbps, 10) : 1200); }
    });
    var camera = stream.getVideoTracks()[0];
    if (kind === "camera" && role === "advisor" && camera) { sendSmall(peer, camera); }
    peer.addEventListener("connectionstatechange", function () {
      reportState();
      if (peer.connectionState === "connected") { everConnected = true; }
      if (publishers[kind] === peer && (peer.connectionState === "failed" || peer.connectionState === "closed")) {
        var wait = peer.connectionState === "failed" && blocked() ? 10000 : 1000;
        if (wait === 1000) { say("msgLost"); }
        setTimeout(function () { if (publishers[kind] === peer && wanted[kind]) { publish(kind, stream); } }, wait);
      }
    });
    return peer.createOffer()
      .then(function (offer) { return peer.setLocalDescription(offer); })
      .then(function () { return gathered(peer); })
      .then(function () { return ask("publish", { sdp: peer.localDescription.sdp, source: kind }); })
      .then(function (reply) { return peer.setRemoteDescription({ type: "answer", sdp: reply.sdp }); })
      .then(function () {
        if (role === "advisor") { say("msgLive"); }
        if (kind === "camera") { showOwnControls(); }
        watchSent(peer);
      })
      .catch(function (reply) { if (publishers[kind] === peer) { say(reply && reply.error === "too-many" ? "msgTooMany" : "msgError"); } });
  }

  function unpublish(kind) {
    wanted[kind] = false;
    if (publishers[kind]) { publishers[kind].close(); delete publishers[kind]; }
    if (kind === "camera") {
      if (smallCamera) { smallCamera.stop(); smallCamera = null; }
      showOwnControls();
    }
    return ask("unpublish", { source: kind }).catch(function () {});
  }

  function watchSent(peer) {
    var timer = setInterval(function () {
      if (peer.connectionState === "closed") { clearInterval(timer); return; }
      peer.getStats().then(function (report) {
        var widths = [];
        var sent = 0;
        report.forEach(function (entry) {
          if (entry.type === "outbound-rtp" && entry.kind === "video") {
            widths.push(entry.frameWidth || 0);
            sent = Math.max(sent, entry.framesSent || 0);
          }
        });
        stats.framesSent = sent;
        stats.sentWidths = widths.sort(function (a, b) { return b - a; });  // full, then small
      });
    }, 1000);
  }

  var startCamera = $("start-camera");
  var shareButton = $("share-screen");
  if (startCamera) {
    say("msgReady");
    startCamera.addEventListener("click", function () {
      startCamera.disabled = true;
      openDevices(true).then(function (stream) {
        wanted.camera = true;
        mainVideo.srcObject = stream;
        startCamera.hidden = true;
        shareButton.disabled = false;
        $("preflight").open = false;
        return publish("camera", stream);
      }).catch(function (error) { startCamera.disabled = false; deviceError(error); });
    });
    shareButton.addEventListener("click", function () {
      if (wanted.screen) { stopSharing(); return; }
      if (!navigator.mediaDevices.getDisplayMedia) { say("msgError"); return; }
      navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (stream) {
        screenStream = stream;
        wanted.screen = true;
        shareButton.textContent = text("msgUnshare");
        showScreen(true);
        screenVideo.srcObject = stream;
        stream.getVideoTracks()[0].addEventListener("ended", stopSharing);
        publish("screen", stream);
      }).catch(function () {});
    });
    $("mute-all").addEventListener("click", function () { ask("mute_all").catch(function () {}); });
    $("end-lesson").addEventListener("click", function () {
      if (window.confirm(text("msgConfirmEnd"))) { ask("end").catch(function () {}); }
    });
    $("lock-room").addEventListener("click", function () {
      ask("lock", { locked: !box.classList.contains("locked") }).catch(function () {});
    });
    $("camera-kbps").addEventListener("change", function (event) {
      var kbps = parseInt(event.target.value, 10);
      ask("camera_kbps", { kbps: kbps }).then(function () {
        msg.kbps = String(kbps);
        var peer = publishers.camera;
        if (peer) { peer.getSenders().forEach(function (s) { if (s.track && s.track.kind === "video") { capBitrate(s, kbps); } }); }
      }).catch(function () {});
    });
  }

  function stopSharing() {
    if (screenStream) { screenStream.getTracks().forEach(function (t) { t.stop(); }); }
    screenStream = null;
    showScreen(false);
    shareButton.textContent = text("msgShare");
    unpublish("screen");
  }

  // -- the floor (pupils and classrooms) ---------------------------------------------------------

  var handButton = $("raise-hand");
  var endFloor = $("end-floor");
  var handUp = false;
  function showHand(up) {
    handUp = up;
    if (handButton) { handButton.textContent = text(up ? "msgHandDown" : "msgHandUp"); }
  }
  if (handButton) {
    handButton.addEventListener("click", function () {
      ask("hand", { raised: !handUp }).then(function () { showHand(!handUp); }).catch(function () {});
    });
    endFloor.addEventListener("click", function () { leaveFloor("msgWatching"); });
  }

  function leaveFloor(key) {
    floor = null;
    unpublish("camera");
    stopLocal();
    if (endFloor) { endFloor.hidden = true; }
    if (handButton) { handButton.hidden = false; }
    say(key);
  }

  socket.on("floor", function (data) {
    if (!data.give) { if (floor) { leaveFloor("msgFloorEnded"); } return; }
    floor = { camera: !!data.camera };
    own = { microphone: true, camera: true };  // a new turn starts heard and seen
    showHand(false);
    if (handButton) { handButton.hidden = true; }  // no hand to raise while speaking
    openDevices(floor.camera).then(function (stream) {
      wanted.camera = true;
      endFloor.hidden = false;
      say(floor && floor.camera ? "msgFloorCamera" : "msgFloor");
      return publish("camera", stream);
    }).catch(deviceError);
  });
  socket.on("muted", function () { if (floor) { leaveFloor("msgMuted"); } });

  // -- listening ---------------------------------------------------------------------------------

  function ownerRole(source) {
    var owner = roster.filter(function (p) { return p.id === source.owner; })[0];
    return owner ? owner.role : "";
  }

  function elementFor(source) {
    if (source.kind === "screen") { showScreen(true); return screenVideo; }
    if (ownerRole(source) === "advisor") { return mainVideo; }
    var tile = $("tile-" + source.id);
    if (!tile) {
      tile = document.createElement("figure");
      tile.id = "tile-" + source.id;
      tile.className = "speaker";
      var video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      var caption = document.createElement("figcaption");
      caption.textContent = source.name;
      tile.appendChild(video);
      tile.appendChild(caption);
      $("speakers").appendChild(tile);
      showPictures();
    }
    return tile.querySelector("video");
  }

  // Browsers refuse sound before the person has clicked on the page: play muted then, and offer
  // a button that turns the sound on.
  function play(element) {
    var started = element.play();
    if (started && started.catch) {
      started.catch(function () {
        element.muted = true;
        element.play().catch(function () {});
        $("sound-on").hidden = false;
      });
    }
  }
  $("sound-on").addEventListener("click", function () {
    [mainVideo].concat(Array.prototype.slice.call(document.querySelectorAll("#speakers video"))).forEach(function (v) {
      if (role === "advisor" && v === mainVideo) { return; }
      v.muted = false;
      if (v.srcObject) { v.play().catch(function () {}); }
    });
    $("sound-on").hidden = true;
  });

  function dropSub(sourceId) {
    var sub = subs[sourceId];
    if (!sub) { return; }
    sub.pc.close();
    delete subs[sourceId];
  }

  function subscribe(source) {
    dropSub(source.id);
    if (pictures[source.id]) { showPicture(source.id, "full"); }  // a new connection starts anew
    var peer = new RTCPeerConnection({ iceServers: iceServers });
    var sub = { pc: peer, epoch: source.epoch, stream: new MediaStream(), bytes: -1, changed: Date.now() };
    subs[source.id] = sub;
    peer.addEventListener("track", function (event) {
      sub.stream.addTrack(event.track);
      var element = elementFor(source);
      if (element.srcObject !== sub.stream) {  // a second assignment would restart the element
        element.srcObject = sub.stream;
        play(element);
      }
    });
    peer.addEventListener("connectionstatechange", function () {
      reportState();
      if (subs[source.id] !== sub) { return; }
      if (peer.connectionState === "connected") {
        everConnected = true;
        if (ownerRole(source) === "advisor") { say("msgWatching"); }
      }
      if (peer.connectionState === "failed") {
        if (blocked()) {  // try again now and then: the network may be opened meanwhile
          setTimeout(function () { if (subs[source.id] === sub) { resubscribe(source, true); } }, 10000);
        } else {
          resubscribe(source);
        }
      }
    });
    return ask("subscribe", { source: source.id })
      .then(function (reply) {
        if (reply.picture && reply.picture !== "full") { showPicture(source.id, reply.picture); }
        return peer.setRemoteDescription({ type: "offer", sdp: reply.sdp });
      })
      .then(function () { return peer.createAnswer(); })
      .then(function (answer) { return peer.setLocalDescription(answer); })
      .then(function () { return gathered(peer); })
      .then(function () { return ask("answer", { source: source.id, sdp: peer.localDescription.sdp }); })
      .catch(function (reply) {
        if (subs[source.id] !== sub) { return; }
        if (reply && reply.error === "audio-only") { dropSub(source.id); return; }
        setTimeout(function () { if (subs[source.id] === sub && sources[source.id]) { resubscribe(source); } }, 2000);
      });
  }

  // A connection to the engine that never worked on this page failed: the school's network most
  // likely drops UDP. Say so plainly (and whether a relay was tried), rather than "reconnecting".
  function blocked() {
    if (everConnected) { return false; }
    var relayed = iceServers.some(function (server) {
      return [].concat(server.urls).some(function (url) { return url.indexOf("turn") === 0; });
    });
    stats.blocked = true;
    say(relayed ? "msgBlockedRelay" : "msgBlocked");
    return true;
  }

  function resubscribe(source, quiet) {
    if (removed || !sources[source.id]) { return; }
    if (!quiet) { say("msgLost"); }
    stats.resubscribed += 1;
    subscribe(sources[source.id]);
  }

  function showSources(list) {
    var seen = {};
    list.forEach(function (source) {
      seen[source.id] = true;
      sources[source.id] = source;
      if (source.owner === me) { return; }
      if (audioOnly && source.kinds.indexOf("audio") < 0) { return; }
      if (audioOnly && source.kind === "screen") { return; }
      var sub = subs[source.id];
      if (!sub || sub.epoch !== source.epoch) { subscribe(source); }
    });
    Object.keys(sources).forEach(function (id) {
      if (seen[id]) { return; }
      var source = sources[id];
      delete sources[id];
      dropSub(id);
      if (source.kind === "screen") { showScreen(false); }
      var tile = $("tile-" + id);
      if (tile) { tile.remove(); }
    });
    showRecording(list.length > 0);
    var advisorLive = list.some(function (s) { return s.kind === "camera" && ownerRole(s) === "advisor"; });
    if (role !== "advisor" && !advisorLive && !floor) { say("msgWaiting"); }
  }
  socket.on("sources", showSources);

  // The engine moved this page to a smaller picture, or to sound only, or back (its link).
  var pictures = {};
  var pictureNotice = $("picture-notice");
  var pictureTry = $("picture-try");

  function showPicture(sourceId, picture) {
    if (picture === "full") { delete pictures[sourceId]; } else { pictures[sourceId] = picture; }
    stats.pictures = Object.assign({}, pictures);
    var words = [];
    Object.keys(pictures).forEach(function (id) {
      var screen = sources[id] && sources[id].kind === "screen";
      var key = pictures[id] === "small" ? "msgSmall" : (screen ? "msgScreenNone" : "msgNone");
      var line = pictureNotice.dataset[key];
      if (words.indexOf(line) < 0) { words.push(line); }
    });
    pictureNotice.textContent = words.join(" ");
    pictureNotice.hidden = !words.length;
    pictureTry.parentNode.hidden = !Object.keys(pictures).some(function (id) { return pictures[id] === "none"; });
    // The last picture stays on the element: dimmed, it does not pass for a live one.
    var stage = Object.keys(sources).filter(function (id) { return sources[id].kind === "camera" && ownerRole(sources[id]) === "advisor"; })[0];
    mainVideo.classList.toggle("sound-only", !!stage && pictures[stage] === "none");
  }
  socket.on("picture", function (data) {
    if (data && typeof data.source === "string") { showPicture(data.source, data.picture === null ? "none" : data.picture); }
    if (data) { tellScripts("room:picture", { picture: data.picture || "none" }); }
  });
  // On sound only, the pupil may try the picture now rather than wait for the engine to: it
  // goes back to sound only by itself if the link does not carry it.
  pictureTry.addEventListener("click", function () {
    pictureTry.disabled = true;
    setTimeout(function () { pictureTry.disabled = false; }, 10000);
    Object.keys(pictures).filter(function (id) { return pictures[id] === "none"; }).forEach(function (id) {
      ask("picture_try", { source: id })
        .then(function (reply) { showPicture(reply.source, reply.picture); })
        .catch(function () {});
    });
  });

  // A watchdog per connection: no bytes for five seconds means the link (or the engine) dropped
  // it, whatever the connection state says; take a new one.
  setInterval(function () {
    Object.keys(subs).forEach(function (id) {
      var sub = subs[id];
      sub.pc.getStats().then(function (report) {
        var bytes = 0;
        report.forEach(function (entry) {
          if (entry.type !== "inbound-rtp") { return; }
          bytes += entry.bytesReceived || 0;
          var source = sources[id];
          if (!source) { return; }
          if (entry.kind === "video" && ownerRole(source) === "advisor" && source.kind === "camera") {
            // Counted over every connection this page had to the advisor's camera.
            stats.framesDecoded += Math.max(0, (entry.framesDecoded || 0) - (sub.frames || 0));
            sub.frames = entry.framesDecoded || 0;
          }
          if (entry.kind === "audio") { stats.audio[source.name] = entry.packetsReceived || 0; }
        });
        if (bytes !== sub.bytes) { sub.bytes = bytes; sub.changed = Date.now(); return; }
        // A still shared screen may send little: give it longer; and a first connection too, which
        // may take a while through a relay. One that never connected tells of a blocked network.
        var connected = sub.pc.connectionState === "connected";
        var patience = sources[id] && sources[id].kind === "screen" ? 20000 : 5000;
        if (!everConnected && !connected) { patience = 20000; }
        if (Date.now() - sub.changed > patience && subs[id] === sub && sources[id]) {
          resubscribe(sources[id], !connected && blocked());
        }
      });
    });
  }, 1000);

  function reportState() {
    var peers = Object.keys(subs).map(function (id) { return subs[id].pc; })
      .concat(Object.keys(publishers).map(function (k) { return publishers[k]; }));
    var states = peers.map(function (p) { return p.connectionState; });
    var state = !states.length ? "new"
      : states.indexOf("failed") >= 0 ? "failed"
      : states.indexOf("disconnected") >= 0 ? "disconnected"
      : states.every(function (s) { return s === "connected"; }) ? "connected" : "connecting";
    if (state !== stats.state) {
      stats.state = state;
      if (socket.connected && me) { ask("state", { state: state }).catch(function () {}); }
    }
  }

  var audioBox = $("audio-only");
  function setAudioOnly(on) {
    audioOnly = on;
    if (audioBox) { audioBox.checked = on; }
    Object.keys(subs).forEach(dropSub);
    mainVideo.srcObject = null;
    showSources(Object.keys(sources).map(function (id) { return sources[id]; }));
  }
  if (audioBox) {
    audioBox.addEventListener("change", function () {
      var on = audioBox.checked;
      ask("audio_only", { on: on }).then(function () { setAudioOnly(on); tellScripts("room:audio-only", { on: on }); }).catch(function () { audioBox.checked = !on; });
    });
  }

  // -- participants and the advisor's controls --------------------------------------------------

  function button(label, action, danger) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = danger ? "contrast" : "secondary";
    b.addEventListener("click", action);
    return b;
  }

  function showRoster(list) {
    roster = stats.roster = list;
    var ul = $("participants");
    ul.textContent = "";
    list.forEach(function (p) {
      var li = document.createElement("li");
      li.dataset.id = p.id;
      var name = document.createElement("strong");
      name.textContent = p.role === "classroom" ? text("msgClassroom").replace("{school}", p.school) : p.name;
      li.appendChild(name);
      var about = document.createElement("small");
      about.textContent = " · " + text("msgState" + p.state.charAt(0).toUpperCase() + p.state.slice(1)) +
        (p.hand ? " · " + text("msgHand") : "") + (p.floor ? " · " + text("msgSpeaking") : "") +
        (p.audio_only ? " · " + text("msgAudioOnlyOn") : "") +
        (p.microphone_off ? " · " + text("msgMicrophoneIsOff") : "") +
        (p.camera_off ? " · " + text("msgCameraIsOff") : "") +
        (p.picture === "small" ? " · " + text("msgOnSmall") : "") +
        (p.picture === "none" ? " · " + text("msgOnSoundOnly") : "");
      li.appendChild(about);
      if (p.role === "classroom" && role !== "pupil" && role !== "classroom") {
        // Who sits behind the classroom computer, as its tutor ticked them.
        var behind = document.createElement("small");
        behind.className = "ticked";
        behind.textContent = p.ticked && p.ticked.length
          ? text("msgTicked").replace("{names}", p.ticked.join(", "))
          : text("msgNobodyTicked");
        li.appendChild(document.createElement("br"));
        li.appendChild(behind);
      }
      if (role === "advisor" && p.role !== "advisor" && p.role !== "observer") {
        var tools = document.createElement("div");
        tools.className = "actions";
        if (p.floor) {
          tools.appendChild(button(text("msgTake"), function () { ask("floor", { participant: p.id, give: false }).catch(function () {}); }));
        } else {
          tools.appendChild(button(text("msgGive"), function () { ask("floor", { participant: p.id, give: true, camera: false }).catch(function () {}); }));
          tools.appendChild(button(text("msgGiveCamera"), function () { ask("floor", { participant: p.id, give: true, camera: true }).catch(function () {}); }));
        }
        tools.appendChild(button(text("msgRemove"), function () {
          if (window.confirm(text("msgConfirmRemove"))) { ask("remove", { participant: p.id }).catch(function () {}); }
        }, true));
        li.appendChild(tools);
      }
      ul.appendChild(li);
    });
    showSources(Object.keys(sources).map(function (id) { return sources[id]; }));
    showPictures();
  }
  socket.on("roster", showRoster);

  // Whoever has no picture (the camera turned off, or the floor without one) is shown by name.
  function showPictures() {
    var advisor = roster.filter(function (p) { return p.role === "advisor"; })[0];
    var card = $("camera-off");
    var dark = !!(advisor && advisor.camera_off && role !== "advisor");
    card.hidden = !dark;
    card.textContent = dark ? advisor.name + " · " + text("msgCameraIsOff") : "";
    mainVideo.classList.toggle("dark", dark);
    Object.keys(sources).forEach(function (id) {
      var tile = $("tile-" + id);
      if (!tile) { return; }
      var owner = roster.filter(function (p) { return p.id === sources[id].owner; })[0];
      var pictured = sources[id].kinds.indexOf("video") >= 0 && !(owner && owner.camera_off);
      tile.classList.toggle("no-picture", !pictured);
    });
  }

  function showLocked(locked) {
    box.classList.toggle("locked", locked);
    var lock = $("lock-room");
    if (lock) { lock.textContent = text(locked ? "msgUnlock" : "msgLock"); }
  }
  socket.on("locked", function (data) { showLocked(data.locked); });

  // -- the classroom computer's ticks -----------------------------------------------------------

  function showPupils(pupils) {
    var ul = $("classroom-pupils");
    if (!ul) { return; }
    tellScripts("room:pupils", { pupils: pupils });
    ul.textContent = "";
    pupils.forEach(function (pupil) {
      var li = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.checked = pupil.present;
      box.dataset.pupil = pupil.id;
      box.addEventListener("change", function () {
        ask("tick", { pupil: pupil.id, present: box.checked }).then(function (reply) { showPupils(reply.pupils); })
          .catch(function () { box.checked = !box.checked; });
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + pupil.name));
      li.appendChild(label);
      ul.appendChild(li);
    });
  }

  // A pupil of the school came or went on a computer of their own: the list follows.
  socket.on("pupils", function (data) { showPupils(data.pupils || []); });

  // -- joining, leaving, coming back -------------------------------------------------------------

  function closeAll() {
    Object.keys(subs).forEach(dropSub);
    Object.keys(publishers).forEach(function (k) { publishers[k].close(); delete publishers[k]; });
  }

  socket.on("connect", function () {
    if (!startCamera || wanted.camera) { say("msgConnecting"); }
    ask("join", { lesson: lesson }).then(function (reply) {
      me = stats.me = reply.me;
      iceServers = reply.ice_servers || [];
      lines.textContent = "";
      (reply.chat || []).forEach(showLine);
      showLocked(reply.locked);
      if (reply.pupils) { showPupils(reply.pupils); }
      if (role !== "advisor") { audioOnly = !!reply.audio_only; if (audioBox) { audioBox.checked = audioOnly; } }
      sources = {};
      showSources(reply.sources || []);
      if (!own.microphone || !own.camera) { tellOwn(); }
      if (wanted.camera && localStream && role === "advisor") { publish("camera", localStream); }
      if (wanted.screen && screenStream) { publish("screen", screenStream); }
      if (role === "advisor" && !wanted.camera) { say("msgReady"); }
      tellScripts("room:joined", { reply: reply, me: me });
    }).catch(function (reply) {
      var error = reply && reply.error;
      removed = error === "removed" || error === "ended";
      say(error === "removed" ? "msgRemoved" : error === "locked" ? "msgLockedOut" : error === "closed" ? "msgClosed"
        : error === "ended" ? "msgEnded" : "msgError");
      if (["removed", "locked", "closed", "ended"].indexOf(error) >= 0) { socket.disconnect(); }
    });
  });

  // The heartbeat: the server keeps this page's time in the room (and that of the pupils a
  // classroom ticked) while it hears it; if the server serving this page dies without a word, that
  // time ends when the page was last heard, not at the end of the lesson.
  setInterval(function () {
    if (socket.connected && me !== null) { socket.emit("seen", {}); }
  }, (parseInt(msg.heartbeat, 10) || 20) * 1000);

  // A media worker was restarted: what this page published is gone; publish it again (listeners
  // subscribe anew when the sources come back).
  socket.on("engine-restarted", function () {
    say("msgLost");
    if (wanted.camera && localStream) { publish("camera", localStream); }
    if (wanted.screen && screenStream) { publish("screen", screenStream); }
  });

  // The server says the lesson's planned end is near, or has come: by its clock and the lesson as
  // planned now (a classroom computer's clock is often wrong), told in the page's time zone.
  socket.on("lesson-time", function (data) {
    var line = $("lesson-time");
    var ends = data && typeof data.ends_at === "string" ? new Date(data.ends_at) : null;
    if (!line || !ends || isNaN(ends.getTime())) { return; }
    var time;
    try {
      time = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: line.dataset.timezone }).format(ends);
    } catch (e) {
      time = ends.toTimeString().slice(0, 5);
    }
    line.textContent = (data.minutes > 0 ? line.dataset.msgSoon : line.dataset.msgOver).replace("{time}", time);
    line.hidden = false;
  });

  // The recording stopped on the server (a full disk); the lesson goes on.
  // The "recording" mark shows only while the engine records: while something is published,
  // and not after the recording stopped.
  var recordingStopped = false;
  function showRecording(on) {
    var mark = $("recorded-mark");
    if (mark) { mark.hidden = !on || recordingStopped; }
  }
  socket.on("recording-stopped", function () {
    recordingStopped = true;
    showRecording(false);
    $("recording-stopped").hidden = false;
  });

  // The advisor ended the lesson: let everything go; the advisor goes on to the register.
  socket.on("ended", function () {
    removed = true;
    closeAll();
    stopLocal();
    if (screenStream) { screenStream.getTracks().forEach(function (t) { t.stop(); }); }
    say("msgEnded");
    socket.disconnect();
    box.classList.add("ended");
    var people = $("participants");
    people.textContent = "";
    var over = document.createElement("li");
    over.textContent = text("msgEnded");
    people.appendChild(over);
    micButton.hidden = cameraButton.hidden = true;
    if (role === "advisor") { window.location.assign(msg.lessonUrl); }
  });

  socket.on("removed", function () {
    removed = true;
    closeAll();
    stopLocal();
    say("msgRemoved");
    socket.disconnect();
    box.classList.add("removed");
  });

  socket.on("disconnect", function () {
    closeAll();
    if (floor) { floor = null; stopLocal(); if (endFloor) { endFloor.hidden = true; } }
    if (!removed) { say("msgLost"); }
  });

  // -- chat: lines are put in as text, never as HTML ----------------------------------------------

  var lines = $("chat-lines");
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
  $("chat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("chat-text");
    var error = $("chat-error");
    if (!input.value.trim()) { return; }
    ask("chat", { text: input.value }).then(function () { input.value = ""; error.textContent = ""; })
      .catch(function (reply) {
        error.textContent = (reply && reply.error === "too-fast") ? chatBox.dataset.msgTooFast
          : (reply && reply.error === "too-long") ? chatBox.dataset.msgTooLong : text("msgError");
      });
  });
})();
