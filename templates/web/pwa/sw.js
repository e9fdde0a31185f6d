{% autoescape off %}// Docflow's service worker: keeps the static shell and the offline page, nothing else.
// Pages and files always come from the network (they are a person's work, never cached here);
// when the network is down a page request gets the offline page instead of the browser's error.
"use strict";
var CACHE = "docflow-shell:" + {{ version }};
var SHELL = {{ shell }};
var OFFLINE = {{ offline_url }};
var STATIC = {{ static_prefix }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.concat([OFFLINE]));
  }).then(function () { return self.skipWaiting(); }));
});

// A new release's worker drops the caches of the old ones.
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("docflow-shell:") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE);
    }));
    return;
  }
  // Static files: the network first (they are cached by HTTP anyway), the shell when offline.
  if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(request).then(function (hit) { return hit || Response.error(); });
    }));
  }
});
{% endautoescape %}
