// Kordon's service worker (kordon.core.offline): copies of pages and static files for a post
// without a connection, and forms sent while the node cannot be reached kept for later.
"use strict";
const CONFIG = {{ config|safe }};
importScripts("{{ store }}");  // KordonStore: the kept forms, shared with the pages

const PAGES = "kordon-pages";
const STATIC = "kordon-static-" + CONFIG.version;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    await (await caches.open(STATIC)).addAll(CONFIG.assets);
    const pages = await caches.open(PAGES);
    for (const url of CONFIG.pages) {
      // Not following a redirect: a page that sends to the log-in is not kept, and the log-in
      // page is not fetched (it would set a new form token under the officer's feet).
      const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
      if (response.ok) await pages.put(url, response);
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("kordon-static-") && name !== STATIC) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET" && url.pathname.startsWith(CONFIG.static)) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (request.method === "POST" && url.pathname === CONFIG.logout) {
    event.waitUntil(caches.delete(PAGES)); // the copies are the officer's own view: gone at log-out
  } else if (request.method === "POST" && request.mode === "navigate"
             && !CONFIG.never_kept.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(sendOrKeep(request));
  }
});

// The node's page when it answers (kept for later if it is one of those needed at a post), else
// the copy kept last time, else the page of what waits to be sent.
async function page(request, url) {
  const key = url.pathname + url.search;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected
        && CONFIG.kept.some((prefix) => url.pathname.startsWith(prefix))) {
      const copy = response.clone();
      caches.open(PAGES).then((pages) => pages.put(key, copy));
    }
    return response;
  } catch (unreachable) {
    const pages = await caches.open(PAGES);
    return (await pages.match(key)) || (await pages.match(CONFIG.queue)) || Response.error();
  }
}

// A form goes to the node if it answers; otherwise it is kept, with who wrote it, and the officer
// is shown the page of what waits to be sent.
async function sendOrKeep(request) {
  const fields = await request.clone().formData();
  try {
    return await fetch(request);
  } catch (unreachable) {
    await KordonStore.keep({
      url: request.url,
      fields: Array.from(fields.entries()),
      user: await KordonStore.meta("user"),
      at: new Date().toISOString(),
      refused: [],
    });
    return Response.redirect(CONFIG.queue + "?kept=1", 303);
  }
}
