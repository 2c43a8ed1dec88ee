// Cold start: a new phone opens Carnet for the first time on « Fast 3G » at 4× CPU.
// Fresh profile (nothing cached, no service worker); time from navigation start to the PIN
// screen, and the bytes that came over the network for it. Apart (`appMs`): when the app's
// module (dist/app/, fetched once the PIN screen is up, src/boot/) has arrived, the
// earliest a PIN typed at once could open the app. The service worker is blocked: its own
// fetches (it precaches both modules) would escape the page's throttling, so the page
// fetches everything itself here, all of it at « Fast 3G ».
import { FAST_3G, PIN_FIELD, freshContext, throttle, watchFor, shownAt } from '../lib.mjs';

export default {
  id: 'cold',
  title: 'cold start to the PIN screen (Fast 3G, 4× CPU, fresh profile)',
  async run({ browser, url }) {
    const context = await freshContext(browser, { serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      const { transfer } = await throttle(page, { network: FAST_3G });
      await watchFor(page, PIN_FIELD);
      await page.goto(url, { waitUntil: 'commit' });
      const ms = await shownAt(page);
      const bytes = transfer.bytes;
      const requests = transfer.requests;
      const appMs = await (await page.waitForFunction(() => performance.getEntriesByType('resource')
        .find((e) => /\/app\/carnet-app-[0-9a-f]+_bg\.wasm$/.test(e.name) && e.responseEnd > 0)
        ?.responseEnd, null, { timeout: 120_000, polling: 100 })).jsonValue();
      return { ms, bytes, requests, appMs };
    } finally {
      await context.close();
    }
  },
};
