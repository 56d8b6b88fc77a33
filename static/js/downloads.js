// A recording downloaded for listening offline, in parts that survive a dropped link: each part
// is asked for by its byte range and kept on this computer (IndexedDB) as it comes, so a drop, or
// closing the page, costs at most the part under way; when the last part is here the file is
// handed to the browser to save. Without this script the link downloads as usual.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.Blob) { return; }
  var PART = 256 * 1024;  // 8 s at 256 kbit/s: a drop costs at most that
  var RETRY_EVERY = 5000;  // ms, while the link is away
  var STALLED_AFTER = 20000;  // ms without a byte
  var DATABASE = "intersession-downloads";
  var decimal = new Intl.NumberFormat(document.documentElement.lang || "en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var say = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  };

  var parts = function (mode) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open(DATABASE, 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore("parts"); };
      opening.onsuccess = function () { resolve(opening.result.transaction("parts", mode).objectStore("parts")); };
      opening.onerror = function () { reject(opening.error); };
    });
  };
  var asked = function (request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  };
  // A part counts once its transaction is done: a write refused for want of space is not kept.
  var written = function (store, request) {
    return new Promise(function (resolve, reject) {
      store.transaction.oncomplete = function () { resolve(request.result); };
      store.transaction.onabort = store.transaction.onerror = function () { reject(store.transaction.error || new Error("not kept")); };
    });
  };

  document.querySelectorAll("a[data-resumable-download]").forEach(function (link) {
    var d = link.dataset;
    var size = Number(d.size);
    var key = d.resumableDownload;  // the file, the same across visits (the link's token changes)
    var bar = document.getElementById(link.id + "-progress");
    var status = document.getElementById(link.id + "-status");
    var busy = false;
    var wanted = false;  // pressed, and not finished
    var refused = false;
    var kept = 0;  // bytes of the parts on this computer
    var show = function (got) {
      bar.hidden = false;
      bar.max = size;
      bar.value = got;
      status.textContent = say(d.msgGetting, { got: decimal.format(got / 1048576), total: decimal.format(size / 1048576), mb: d.mb });
    };

    var have = function () {
      return parts("readonly").then(function (store) { return asked(store.getAllKeys(IDBKeyRange.bound(key + "#", key + "#~"))); });
    };
    // One part, read as it comes (the bar moves with it); a part that moves nothing for a while,
    // or the browser saying the connection is gone, is given up: the link may have died silently.
    var current = null;
    var part = function (start, end) {
      var controller = new AbortController();
      current = controller;
      var moved = Date.now();
      var watch = setInterval(function () { if (Date.now() - moved > STALLED_AFTER) { controller.abort(); } }, 2000);
      var done = function () { clearInterval(watch); current = null; };
      return fetch(link.href, { headers: { Range: "bytes=" + start + "-" + end }, credentials: "same-origin", signal: controller.signal })
        .then(function (response) {
          if (response.status >= 400 && response.status < 500) { refused = true; }  // the link expired
          if (response.status !== 206 || !response.body) { throw new Error("status " + response.status); }
          var reader = response.body.getReader();
          var pieces = [];
          var got = 0;
          var pump = function () {
            return reader.read().then(function (read) {
              if (read.done) { return new Blob(pieces); }
              moved = Date.now();
              pieces.push(read.value);
              got += read.value.length;
              show(start + got);
              return pump();
            });
          };
          return pump();
        })
        .then(function (blob) { done(); return blob; }, function (error) { done(); throw error; });
    };
    var next = function (index) {
      var start = index * PART;
      if (start >= size) { return finish(index); }
      var end = Math.min(size, start + PART) - 1;
      return part(start, end)
        .then(function (blob) {
          if (blob.size !== end - start + 1) { throw new Error("short part"); }
          return parts("readwrite").then(function (store) { return written(store, store.put(blob, key + "#" + String(index).padStart(6, "0"))); });
        })
        .then(function () { kept = Math.min(size, (index + 1) * PART); show(kept); return next(index + 1); });
    };
    var finish = function (count) {
      return parts("readonly").then(function (store) {
        return asked(store.getAll(IDBKeyRange.bound(key + "#", key + "#~")));
      }).then(function (blobs) {
        var file = new Blob(blobs.slice(0, count), { type: d.type });
        if (file.size !== size) {  // not as it should be: start again rather than save it so
          return parts("readwrite").then(function (store) {
            return asked(store["delete"](IDBKeyRange.bound(key + "#", key + "#~")));
          }).then(function () { throw new Error("parts missing"); });
        }
        var save = document.createElement("a");
        save.href = URL.createObjectURL(file);
        save.download = d.name;
        document.body.appendChild(save);
        save.click();
        save.remove();
        status.textContent = d.msgDone;
        wanted = false;
        return parts("readwrite").then(function (store) { return asked(store["delete"](IDBKeyRange.bound(key + "#", key + "#~"))); });
      });
    };
    var go = function () {
      if (busy) { return; }
      busy = true;
      have().then(function (keys) {
        kept = Math.min(size, keys.length * PART);
        show(kept);
        return next(keys.length);
      }).then(function () { busy = false; }, function () {
        busy = false;
        if (refused) { refused = false; wanted = false; status.textContent = d.msgRefused; return; }
        // The link: what came is kept; try again when it is back.
        show(kept);
        status.textContent = say(d.msgWaiting, { got: decimal.format(kept / 1048576), mb: d.mb });
        setTimeout(function () { if (navigator.onLine) { go(); } }, RETRY_EVERY);  // else at "online"
      });
    };
    link.addEventListener("click", function (event) {
      event.preventDefault();
      wanted = true;
      go();
    });
    window.addEventListener("offline", function () { if (current) { current.abort(); } });
    window.addEventListener("online", function () { if (wanted && !busy) { go(); } });
  });
})();
