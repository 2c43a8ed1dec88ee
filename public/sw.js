// Carnet's service worker: keeps the app shell available with no network, and hands over
// to a new version only when the worker asks for it or no page uses the old one.
// scripts/sw_manifest.py fills in VERSION and ASSETS at build time.
//
// Update flow (see ARCHITECTURE.md):
// 1. The browser finds a changed sw.js (on a navigation, or when the app calls update()).
// 2. install: the new version precaches its files in its own cache. No skipWaiting(): an
//    open page keeps its version, and a form being filled is never interrupted.
// 3. The page sees the waiting worker and shows « Nouvelle version — recharger ».
// 4. The waiting worker activates when the page asks (its button posts 'skip-waiting',
//    then the page reloads on controllerchange), or by itself once every page of the old
//    version is closed. Other pages of the old version get the prompt too.
// 5. Older caches are deleted once no open page may still be running an older version.
'use strict';

const VERSION = '__CARNET_VERSION__';
const ASSETS = __CARNET_ASSETS__;
const PREFIX = 'carnet-shell-';
const CACHE = PREFIX + VERSION;
// Trunk's hashed names (carnet-<hash>.js, carnet-<hash>_bg.wasm, main-<hash>.css).
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.[a-z]+$/;

// Pages known not to need an older version: those whose document this worker served, and
// those that asked for this version and are reloading. In memory only: after a restart the
// worker knows none and keeps older caches until the next navigation (never too early).
const ours = new Set();
const leaving = new Set();

self.addEventListener('install', (event) => {
  // Hashed files never change under their name, so any copy will do; files with stable
  // names (index.html, the manifest, icons) must be this build's, not an HTTP-cached one.
  const requests = ASSETS.map((url) => new Request(url, { cache: HASHED.test(url) ? 'default' : 'no-cache' }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
});

// From the page's « recharger » button, which then reloads: 'skip-waiting' to the waiting
// worker, or 'leaving' to the active one when another page already switched to it.
self.addEventListener('message', (event) => {
  if (event.data !== 'skip-waiting' && event.data !== 'leaving') return;
  if (event.source && event.source.id) leaving.add(event.source.id);
  event.waitUntil(event.data === 'skip-waiting' ? self.skipWaiting() : sweep());
});

self.addEventListener('activate', (event) => {
  // claim(): on the very first install the open page is controlled at once, so it works
  // offline from then on without a reload.
  event.waitUntil(sweep().then(() => self.clients.claim()));
});

/** Deletes older versions' caches if every open page is known to be on this version. */
async function sweep() {
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (pages.some((page) => !ours.has(page.id) && !leaving.has(page.id))) return;
  const keys = await caches.keys();
  await Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The API is never cached: records must reach the server or stay queued on the device.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  // The coordinator's app is used online, on a computer: the network serves it, never this
  // worker's cache (which holds the phone app only).
  if (url.pathname === '/coordination' || url.pathname.startsWith('/coordination/')) return;
  if (request.mode === 'navigate') {
    if (event.resultingClientId) ours.add(event.resultingClientId);
    // Cache first: in a bar with one bar of signal the app must open at once.
    const page = caches.match('/index.html', { cacheName: CACHE }).then((hit) => hit || fetch(request));
    event.respondWith(page);
    // Housekeeping once the page is answered, not before.
    event.waitUntil(page.catch(() => null).then(sweep));
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)),
  );
});
