// Shared by the benchmark figures: conditions of a cheap phone on a poor network, a fresh
// profile per run, in-page timings, and min/median/max. Not a test: nothing here fails on
// a slow figure (BENCHMARKS.md records them).
import { launchChromium, PHONE } from '../tests/harness.mjs';

/** DevTools' « Fast 3G » preset (bytes per second, milliseconds). */
export const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 180000, uploadThroughput: 84375 };
/** A cheap phone: four times slower than this machine's cores. */
export const CPU_SLOWDOWN = 4;

/**
 * Selector of the PIN field. The locked app shows it first: on a fresh profile the set-up
 * screen (« Choisis un NIP »), otherwise the unlock screen (« NIP »). Both are numeric.
 */
export const PIN_FIELD = 'main.lock input[inputmode="numeric"]';

export async function launch() {
  return launchChromium();
}

/**
 * A fresh profile (empty HTTP cache, storage and service workers), phone-sized. With
 * `serviceWorkers: 'block'`, for figures that throttle the network: the worker is a target
 * of its own, which DevTools' network conditions of the page do not reach.
 */
export async function freshContext(browser, options = {}) {
  return browser.newContext({ ...PHONE, ...options });
}

/**
 * Applies network and CPU conditions to a page through the DevTools protocol, and sums the
 * bytes it receives (`Network.loadingFinished.encodedDataLength`: headers and body as they
 * came over the wire, after compression).
 */
export async function throttle(page, { network = null, cpu = CPU_SLOWDOWN } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  if (network) await cdp.send('Network.emulateNetworkConditions', network);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  const transfer = { bytes: 0, requests: 0 };
  cdp.on('Network.loadingFinished', (e) => {
    transfer.bytes += e.encodedDataLength;
    transfer.requests += 1;
  });
  return { cdp, transfer };
}

/**
 * Records, in the page itself, when an element matching `selector` is first on screen:
 * `performance.now()` (milliseconds since the navigation started) at the animation frame
 * after it entered the DOM. Must be called before navigating.
 */
export async function watchFor(page, selector) {
  await page.addInitScript((sel) => {
    const seen = () => {
      if (window.__benchShownAt !== undefined || !document.querySelector(sel)) return false;
      window.__benchShownAt = null;
      requestAnimationFrame(() => {
        window.__benchShownAt = performance.now();
      });
      return true;
    };
    new MutationObserver((_, observer) => {
      if (seen()) observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  }, selector);
}

/** Waits for the time `watchFor` recorded; milliseconds since navigation start. */
export async function shownAt(page, { timeout = 120_000 } = {}) {
  const handle = await page.waitForFunction(() => window.__benchShownAt ?? undefined, null, {
    timeout,
    polling: 100,
  });
  return handle.jsonValue();
}

/** min / median / max of numbers. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], n: sorted.length };
}
