// Work without a connection: the service worker (sw.js) keeps the pupil's pages; here an answer
// typed without a connection is kept on this computer (IndexedDB) and saved as a draft (never
// sent) when the connection returns, a banner says so, and the work's files can be kept for
// offline. Signing out clears what this computer kept of the person.
(function () {
  "use strict";
  var root = document.documentElement;
  var banner = document.getElementById("offline-banner");
  var person = root.dataset.offlineUser;
  var DATABASE = "intersession-offline";

  if ("serviceWorker" in navigator && person) {
    navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/" }).catch(function () {});
  }

  // Signing out: nothing of this person stays for the next one at a shared computer (the
  // server's Clear-Site-Data says the same; this is for browsers that do not follow it).
  document.querySelectorAll("form[data-signs-out]").forEach(function (form) {
    var cleared = false;
    form.addEventListener("submit", function (event) {
      if (cleared) { return; }
      event.preventDefault();
      var gone = [];
      if (window.caches) {
        gone.push(caches.keys().then(function (names) { return Promise.all(names.map(function (name) { return caches["delete"](name); })); }));
      }
      if (window.indexedDB) {
        [DATABASE, "intersession-downloads"].forEach(function (name) {  // downloads.js keeps the other
          gone.push(new Promise(function (resolve) {
            var deleting = indexedDB.deleteDatabase(name);
            deleting.onsuccess = deleting.onerror = deleting.onblocked = resolve;
          }));
        });
      }
      var signOut = function () { if (!cleared) { cleared = true; form.submit(); } };
      Promise.all(gone).then(signOut, signOut);
      setTimeout(signOut, 1500);  // never kept from signing out
    });
  });

  // The browser's word that it is offline only means it has no network but loopback: a
  // classroom's own server may still answer. Asked of the server itself, at most every 5 s.
  var lastProbe = 0;
  var lastAnswer = true;
  var reachable = function () {
    if (navigator.onLine) { return Promise.resolve(true); }
    if (Date.now() - lastProbe < 5000) { return Promise.resolve(lastAnswer); }
    lastProbe = Date.now();
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, 4000);
    return fetch(root.dataset.serviceWorker || "/sw.js", { method: "HEAD", cache: "no-store", signal: controller.signal })
      .then(function () { return true; }, function () { return false; })
      .then(function (answer) { clearTimeout(timer); lastAnswer = answer; return answer; });
  };

  var say = function (text, kind) {
    if (!banner) { return; }
    banner.textContent = text;
    banner.className = "flash flash-" + (kind || "info");
    banner.hidden = !text;
  };

  var store = function (mode) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open(DATABASE, 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore("answers"); };
      opening.onsuccess = function () {
        resolve(opening.result.transaction("answers", mode).objectStore("answers"));
      };
      opening.onerror = function () { reject(opening.error); };
    });
  };
  var asked = function (request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  };

  var form = document.getElementById("work-form");
  var text = document.getElementById("text");
  if (!form || !text || !person || !window.indexedDB) {
    var showOffline = function () {
      reachable().then(function (up) { say(up ? "" : banner && banner.dataset.msgOfflinePage); });
    };
    window.addEventListener("online", showOffline);
    window.addEventListener("offline", showOffline);
    showOffline();
    return;
  }
  var key = person + ":" + form.dataset.work;
  var version = form.querySelector("input[name=version]");
  var saved = text.value;  // what the server has

  var keep = function () {
    return store("readwrite").then(function (answers) {
      return asked(answers.put({ text: text.value, version: version ? version.value : "", at: Date.now() }, key));
    });
  };
  var forget = function () {
    return store("readwrite").then(function (answers) { return asked(answers["delete"](key)); });
  };

  // The kept answer goes to the server as a draft: the form's fields, "save" and not "send".
  var syncing = false;
  var sync = function (kept) {
    if (syncing) { return Promise.resolve(); }
    syncing = true;
    var body = new FormData(form);
    body["delete"]("send");
    body["delete"]("files");
    body.set("text", kept.text);
    body.set("save", "1");
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      syncing = false;
      // Saved: the server sends the pupil back to the work's page (a session that ended sends
      // them to sign in instead, and the answer stays kept).
      var back = new URL(response.url).pathname === window.location.pathname;
      if (!response.ok || !response.redirected || !back) { throw new Error("not saved"); }
      return forget().then(function () {
        sessionStorage.setItem("intersession-synced", "1");
        window.location.reload();  // the page as the server has it now, the draft's new version with it
      });
    }).catch(function () { syncing = false; });
  };

  var typedTimer = null;
  text.addEventListener("input", function () {
    clearTimeout(typedTimer);
    typedTimer = setTimeout(function () {
      reachable().then(function (up) {
        if (up) { return; }  // the pupil saves it themselves
        keep().then(function () { say(banner.dataset.msgOfflineAnswer, "warning"); });
      });
    }, 300);
  });

  // Saving or sending without a connection: the browser would show its error page and the
  // answer would be gone. It is kept here instead, and saved as a draft when the link returns.
  form.addEventListener("submit", function (event) {
    if (navigator.onLine || lastAnswer) { return; }  // the server answered the last time asked
    event.preventDefault();
    event.stopImmediatePropagation();
    keep().then(function () { say(banner.dataset.msgOfflineAnswer, "warning"); });
  }, true);

  var onLink = function () {
    lastProbe = 0;  // the browser says the link changed: ask again
    reachable().then(function (up) {
      if (up) { onServer(); } else { say(banner.dataset.msgOfflineAnswer, "warning"); }
    });
  };
  var onServer = function () {
    say("");
    store("readonly").then(function (answers) { return asked(answers.get(key)); }).then(function (kept) {
      if (!kept) { return; }
      if (kept.text === saved) { return forget(); }  // the server has it already
      text.value = kept.text;
      if (kept.version === (version ? version.value : "")) { return sync(kept); }
      // The draft was saved elsewhere since: the kept answer is shown, the pupil chooses (it
      // is forgotten once saved: then the server has the same text).
      say(banner.dataset.msgKeptOther, "warning");
    });
  };
  window.addEventListener("online", onLink);
  window.addEventListener("offline", onLink);
  if (sessionStorage.getItem("intersession-synced")) {
    sessionStorage.removeItem("intersession-synced");
    say(banner.dataset.msgSynced, "success");
  } else {
    onLink();
  }

  // The work's files, kept on this computer for reading without a connection.
  document.querySelectorAll("button[data-keep-offline]").forEach(function (button) {
    var url = button.dataset.keepOffline;
    var cache = function () { return caches.open("intersession-pages-" + person); };
    var mark = function () {  // a quiet note in the button's place
      var note = document.createElement("small");
      note.className = "kept-offline";
      note.textContent = "✓ " + button.dataset.msgKept;
      button.replaceWith(note);
    };
    cache().then(function (files) { return files.match(url); }).then(function (found) { if (found) { mark(); } });
    button.hidden = false;
    button.addEventListener("click", function () {
      cache().then(function (files) { return files.add(url); }).then(mark, function () {
        button.textContent = button.dataset.msgFailed;
      });
    });
  });
})();
