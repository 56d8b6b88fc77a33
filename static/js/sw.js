// The service worker: the pupil's pages they opened, and the materials they kept, open again
// without a connection. Only pages the server marks (X-Keep-Offline: the person's id) are kept,
// in a cache of that person's own; when another person's page comes, the last one's cache goes,
// and signing out clears everything (the server's Clear-Site-Data, and offline.js before it).
"use strict";

var PAGES = "intersession-pages-";  // + the person's id
var STATIC = "intersession-static";
var META = "intersession-meta";
var WHO = "/offline/who";  // the person whose pages are kept, in META

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

var keptFor = function () {
  return caches.open(META).then(function (meta) { return meta.match(WHO); })
    .then(function (found) { return found ? found.text() : null; });
};

var keepFor = function (person) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PAGES) === 0 && name !== PAGES + person;  // nothing of the last person
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return caches.open(META); })
    .then(function (meta) { return meta.put(WHO, new Response(person)); });
};

var fromCache = function (request) {
  return keptFor().then(function (person) {
    if (!person) { return undefined; }
    return caches.open(PAGES + person).then(function (pages) { return pages.match(request); });
  });
};

// A page: from the network, kept when the server marks it; without a connection, as kept.
var page = function (event) {
  return fetch(event.request).then(function (response) {
    // Every page says who is signed in ("0": nobody): another person, or nobody, and nothing of
    // the last one stays, even if they never signed out.
    var present = response.headers.get("X-Signed-In");
    if (present !== null) {
      event.waitUntil(keptFor().then(function (last) {
        if (last !== null && last !== present) { return keepFor(present); }
      }));
    }
    var person = response.headers.get("X-Keep-Offline");
    if (response.ok && person && !response.redirected) {
      var copy = response.clone();
      event.waitUntil(keepFor(person).then(function () {
        return caches.open(PAGES + person);
      }).then(function (pages) { return pages.put(event.request, copy); }));
    }
    return response;
  }, function (error) {
    return fromCache(event.request).then(function (kept) {
      if (kept) { return kept; }
      throw error;
    });
  });
};

// A static file under its hashed name never changes: from the cache once it is there.
var hashed = function (event) {
  return caches.open(STATIC).then(function (files) {
    return files.match(event.request).then(function (kept) {
      return kept || fetch(event.request).then(function (response) {
        if (response.ok) { files.put(event.request, response.clone()); }
        return response;
      });
    });
  });
};

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (/^\/static\/.+-[0-9a-f]{32}\.\w+$/.test(url.pathname)) {
    event.respondWith(hashed(event));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (/^\/work\/\d+\/files\/\d+$/.test(url.pathname)) {
    // A work's file the pupil kept for offline (offline.js put it in their cache).
    event.respondWith(fetch(request).catch(function (error) {
      return fromCache(request).then(function (kept) { if (kept) { return kept; } throw error; });
    }));
  }
});
