// The field client's service worker: keeps the app's files so it opens with no signal.
// The service stamps VERSION from the files' contents; a new release installs a new cache
// and drops the old. Calls to the API always go to the network (the outbox handles failure).

const VERSION = '__VERSION__';
const CACHE = `field-${VERSION}`;
const SHELL = ['/field/', '/field/app.js', '/field/store.js', '/field/outbox.js',
  '/field/style.css', '/field/manifest.webmanifest', '/field/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('field-') && k !== CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin ||
      !url.pathname.startsWith('/field/') || url.pathname === '/field/sw.js') {
    return; // the API and everything else: straight to the network
  }
  // The cache of a version is written once, at install: a file of this version, or the
  // network when the cache lacks it (a new release comes as a new worker, never mixed in).
  const key = event.request.mode === 'navigate' ? '/field/' : url.pathname;
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(key))
    .then((kept) => kept || fetch(event.request)));
});
