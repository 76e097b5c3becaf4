// The service worker (served at /sw.js, scope /): when the network is gone, the
// boards a phone opened before still open, saying how old they are.
//
// Nothing private is kept: a page is kept only if the server marked it public
// (a visitor's page: Cache-Control public, no cookie set), and only board pages,
// the boards' JSON and static files are considered at all. A signed-in person's
// pages are private, so they are never kept.
"use strict";
var CACHE = "thiduaso-v1";
var OFFLINE = "__OFFLINE__";
var KEEP_PAGES = 30;
var NETWORK_WAIT = 5000;  // ms before a slow network loses to the saved copy

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.add(OFFLINE); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isPublic(response) {
  var control = response.headers.get("Cache-Control") || "";
  return response.ok && response.type === "basic" && /\bpublic\b/.test(control) && !/\b(private|no-store)\b/.test(control);
}

function keep(request, response) {
  if (!isPublic(response)) return;
  var copy = response.clone();
  caches.open(CACHE).then(function (cache) {
    cache.put(request.url, copy).then(function () {
      return cache.keys();
    }).then(function (keys) {
      var pages = keys.filter(function (key) { return key.url.indexOf("/leaderboards/") >= 0; });
      // Forget the oldest boards beyond KEEP_PAGES (keys come in insertion order).
      return Promise.all(pages.slice(0, Math.max(0, pages.length - KEEP_PAGES)).map(function (key) {
        return cache.delete(key);
      }));
    });
  });
}

// A saved page says it is one: board.js then shows its age.
function marked(response) {
  return response.text().then(function (html) {
    return new Response(html.replace("<html ", '<html data-from-cache="1" '), {
      status: response.status,
      headers: response.headers
    });
  });
}

function networkFirst(request, page) {
  return new Promise(function (resolve) {
    var settled = false;
    function fallback() {
      caches.match(request.url, { ignoreVary: true }).then(function (saved) {
        if (settled) return;
        if (saved) { settled = true; resolve(page ? marked(saved) : saved); return; }
        if (!page) return;  // wait for the network's own answer or failure
        caches.match(OFFLINE).then(function (offline) {
          if (!settled && offline) { settled = true; resolve(offline); }
        });
      });
    }
    var timer = setTimeout(fallback, NETWORK_WAIT);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      keep(request, response);
      if (!settled) { settled = true; resolve(response); }
    }).catch(function () {
      clearTimeout(timer);
      caches.match(request.url, { ignoreVary: true }).then(function (saved) {
        if (settled) return;
        settled = true;
        if (saved) { resolve(page ? marked(saved) : saved); return; }
        resolve(page ? caches.match(OFFLINE) : Response.error());
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    // Static files: the saved copy at once, refreshed in the background.
    event.respondWith(caches.match(request.url).then(function (saved) {
      var fresh = fetch(request).then(function (response) { keep(request, response); return response; });
      return saved || fresh;
    }));
    return;
  }
  var board = url.pathname.indexOf("/leaderboards/") === 0 && !/\/poster\/$/.test(url.pathname);
  var api = url.pathname.indexOf("/api/v1/leaderboards/") === 0;
  if (board || api) {
    event.respondWith(networkFirst(request, request.mode === "navigate"));
    return;
  }
  if (request.mode === "navigate") {
    // Every other page goes to the network; offline, the "no network" page.
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
  }
});
