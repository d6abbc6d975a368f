// Keeps the audit checklists a tablet has opened, and the files they need, for use offline.
// Pages are fetched from the network first (so an online tablet always gets the current
// answers) and from the cache only when the network fails.
const CACHE = "{{ cache }}";
const KEPT_PAGE = /\/prisons\/audits\/\d+\/checklist\/$/;
const STATIC = "{{ static_url }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.keep) || [];
  const own = urls.filter((url) => new URL(url).origin === self.location.origin);
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(own.map((url) =>
    fetch(url, { credentials: "same-origin" }).then((response) => {
      if (response.ok && !response.redirected) return cache.put(url, response);
    }).catch(() => undefined)))));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (KEPT_PAGE.test(url.pathname)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    }).catch(() => caches.match(request, { ignoreVary: true }).then((kept) => kept || Response.error())));
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then((kept) => kept || fetch(request)));
  }
});
