// Files sent in chunks that survive a dropped link (tus, the server's side in core/resumable).
// On "save", each chosen file is uploaded first; a drop waits for the connection and goes on where
// the server says it stopped, also after the page was reloaded and the same file chosen again.
// Then the form is sent with the finished uploads named, and the server keeps them as files.
(function () {
  "use strict";
  if (!window.Promise || !window.fetch) { return; }  // the form sends the files itself
  // tus-js-client is fetched only once a file is chosen: most visits to a page send none.
  var loading = null;
  var loadTus = function (src) {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (window.tus) { resolve(window.tus); return; }
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { if (window.tus && window.tus.isSupported) { resolve(window.tus); } else { reject(new Error("no tus")); } };
        script.onerror = function () { loading = null; reject(new Error("not loaded")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  };
  // A request that moves nothing for this long is given up and the upload asked where it stands:
  // on a rural link a connection often dies without a word (no reset), and would hang for minutes.
  var STALLED_AFTER = 20000;  // ms
  var WATCH_EVERY = 2000;
  var lang = document.documentElement.lang || "en";
  var decimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  var say = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  };
  var megabytes = function (bytes) { return decimal.format(bytes / 1048576); };

  var attach = function (input) {
    var form = input.form;
    if (!form) { return; }
    var d = input.dataset;
    var bar = document.getElementById(input.id + "-progress");
    var status = document.getElementById(input.id + "-status");
    var token = form.querySelector("input[name=csrf_token]");
    var sending = false;
    var note = "";  // what stays said above the progress: that it went on where it stopped

    var show = function (text) { status.textContent = note ? note + " " + text : text; };
    var progress = function (sent, total, started, sentAtStart) {
      bar.max = total;
      bar.value = sent;
      var text = say(d.msgSending, { sent: megabytes(sent), total: megabytes(total), left: megabytes(total - sent), mb: d.mb });
      var seconds = (Date.now() - started) / 1000;
      var rate = (sent - sentAtStart) / seconds;
      if (seconds > 5 && rate > 0) {
        text += " " + say(d.msgMinutes, { minutes: Math.max(1, Math.round((total - sent) / rate / 60)) });
      }
      show(text);
    };

    var uploadOne = function (file, before, total, started) {
      return new Promise(function (resolve, reject) {
        var sentAtStart = before;
        var upload = new window.tus.Upload(file, {
          endpoint: d.endpoint,
          chunkSize: Number(d.chunk),
          retryDelays: [1000, 3000, 5000],
          metadata: { filename: file.name, filetype: file.type || "application/octet-stream", "for": d.resumable },
          headers: { "X-CSRFToken": token ? token.value : "" },
          // One person's upload of one file for one place: another pupil at the same computer,
          // or the same file sent for other work, starts its own.
          fingerprint: function (f) {
            return Promise.resolve(["intersession", d.user, d.resumable, f.name, f.type, f.size, f.lastModified].join("/"));
          },
          onProgress: function (sent) { moved = Date.now(); stalls = 0; progress(before + sent, total, started, sentAtStart); },
          onSuccess: function () { stop(); resolve(upload.url.split("/").pop()); },
          onError: function (error) {
            var response = error.originalResponse;
            var code = response ? response.getStatus() : 0;
            if (code >= 400 && code < 500 && code !== 409 && code !== 423) {
              stop();
              // The server's words (too large, signed out…) when it sent words, not a page.
              var words = (response.getHeader("Content-Type") || "").indexOf("text/plain") === 0;
              reject((words && response.getBody()) || d.msgFailed);
              return;
            }
            // The connection: the watch below, or the connection's return, tries again.
            waiting = true;
            show(say(d.msgWaiting, { percent: Math.floor(bar.value * 100 / (bar.max || 1)) }));
          }
        });
        var moved = Date.now();
        var waiting = false;
        var again = function () {
          moved = Date.now();
          waiting = false;
          upload.abort().then(function () { upload.start(); });
        };
        var stalls = 0;
        var watch = setInterval(function () {
          if (Date.now() - moved > STALLED_AFTER) {
            stalls += 1;
            // Connected, yet nothing moves for minutes (the file changed on the disk, a read
            // error): give up, and let the pupil press again; what came stays on the server.
            if (stalls > 6 && navigator.onLine) { stop(); upload.abort(); reject(d.msgFailed); return; }
            if (!waiting) { show(say(d.msgWaiting, { percent: Math.floor(bar.value * 100 / (bar.max || 1)) })); }
            again();
          }
        }, WATCH_EVERY);
        var back = function () { if (waiting || Date.now() - moved > WATCH_EVERY) { again(); } };
        window.addEventListener("online", back);
        var stop = function () { clearInterval(watch); window.removeEventListener("online", back); };
        upload.findPreviousUploads().then(function (previous) {
          if (previous.length) {
            upload.resumeFromPreviousUpload(previous[0]);
            var head = new XMLHttpRequest();  // only to say how much is already there
            head.open("HEAD", previous[0].uploadUrl);
            head.setRequestHeader("Tus-Resumable", "1.0.0");
            head.onload = function () {
              var offset = Number(head.getResponseHeader("Upload-Offset"));
              if (head.status === 200 && offset > 0) {
                sentAtStart = before + offset;
                note = say(d.msgResumed, { sent: megabytes(offset), mb: d.mb });
                show("");
              }
            };
            head.send();
          }
          upload.start();
        }).catch(function () { stop(); reject(d.msgFailed); });
      });
    };

    input.addEventListener("change", function () { if (input.files.length) { loadTus(d.tus).catch(function () {}); } });
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length || input.disabled) { return; }
      event.preventDefault();
      if (sending) { return; }
      sending = true;
      var submitter = event.submitter;
      loadTus(d.tus).then(function () { sendAll(files, submitter); }, function () {
        sending = false;  // no chunks then: the files go with the form, as without this script
        input.removeAttribute("data-resumable");
        if (submitter && submitter.name) { keepPressed(submitter); }
        form.submit();
      });
    });

    var keepPressed = function (submitter) {
      var pressed = document.createElement("input");
      pressed.type = "hidden";
      pressed.name = submitter.name;
      pressed.value = submitter.value;
      form.appendChild(pressed);
    };

    var sendAll = function (files, submitter) {
      note = "";
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
      var started = Date.now();
      bar.hidden = false;
      var done = 0;
      var ids = [];
      var chain = Promise.resolve();
      files.forEach(function (file) {
        chain = chain.then(function () { return uploadOne(file, done, total, started); }).then(function (id) {
          ids.push(id);
          done += file.size;
        });
      });
      chain.then(function () {
        show(d.msgSaving);
        ids.forEach(function (id) {
          var named = document.createElement("input");
          named.type = "hidden";
          named.name = input.name + "-resumed";
          named.value = id;
          form.appendChild(named);
        });
        if (submitter && submitter.name) { keepPressed(submitter); }
        input.disabled = true;  // its bytes are on the server already
        sending = false;
        form.submit();
      }, function (message) {
        sending = false;
        bar.hidden = true;
        show(message);
        buttons.forEach(function (b) { b.disabled = false; });
      });
    };

    window.addEventListener("beforeunload", function (event) {
      if (sending) { event.preventDefault(); event.returnValue = d.msgLeave; }
    });
  };

  document.querySelectorAll("input[type=file][data-resumable]").forEach(attach);
})();
