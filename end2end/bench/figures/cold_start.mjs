// Cold start: a new phone opens Carnet for the first time on « Fast 3G » at 4× CPU.
// Fresh profile (nothing cached, no service worker); time from navigation start to the PIN
// screen, and the bytes that came over the network for it.
import { FAST_3G, PIN_FIELD, freshContext, throttle, watchFor, shownAt } from '../lib.mjs';

export default {
  id: 'cold',
  title: 'cold start to the PIN screen (Fast 3G, 4× CPU, fresh profile)',
  async run({ browser, url }) {
    const context = await freshContext(browser);
    try {
      const page = await context.newPage();
      const { transfer } = await throttle(page, { network: FAST_3G });
      await watchFor(page, PIN_FIELD);
      await page.goto(url, { waitUntil: 'commit' });
      const ms = await shownAt(page);
      return { ms, bytes: transfer.bytes, requests: transfer.requests };
    } finally {
      await context.close();
    }
  },
};
