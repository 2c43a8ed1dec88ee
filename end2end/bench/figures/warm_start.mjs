// Warm start: Carnet was opened once online (its service worker holds the app); the phone
// is offline and the worker opens it again, at 4× CPU. Time from navigation start to the
// PIN screen. A fresh profile per run, so every run starts from the same state.
import { PIN_FIELD, freshContext, throttle, watchFor, shownAt } from '../lib.mjs';

export default {
  id: 'warm',
  title: 'warm start to the PIN screen (offline, service worker, 4× CPU)',
  async run({ browser, url }) {
    const context = await freshContext(browser);
    try {
      // Install: first visit online, until the worker controls the page (its cache is full).
      const first = await context.newPage();
      await first.goto(url);
      await first.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
        timeout: 60_000,
      });
      await first.close();
      // Next opening, with no network.
      await context.setOffline(true);
      const page = await context.newPage();
      const { transfer } = await throttle(page);
      await watchFor(page, PIN_FIELD);
      await page.goto(url, { waitUntil: 'commit' });
      const ms = await shownAt(page);
      return { ms, bytes: transfer.bytes, requests: transfer.requests };
    } finally {
      await context.close();
    }
  },
};
