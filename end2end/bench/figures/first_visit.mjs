// The first visit: a new phone opens Carnet on « Fast 3G » at 4× CPU, and the worker
// chooses a PIN while the app's module (dist/app/) downloads behind the PIN screen
// (src/boot/). Timed: from the tap on « Créer mon NIP » to the app's screen (its header's
// pending count), after a PIN chosen in 6 seconds (the module had that long) and at once
// (the worst case: the whole module still to come). The PIN's key derivation is inside
// both figures. The service worker is blocked, as for the cold start: its own fetches
// would escape the page's throttling.
import { FAST_3G, PIN_FIELD, freshContext, throttle, watchFor, shownAt } from '../lib.mjs';
import { PIN } from '../../tests/harness.mjs';

function firstVisit(id, choosingMs) {
  return {
    id,
    title: `first visit, « Créer mon NIP » to the app after a PIN chosen in ${choosingMs / 1000} s (Fast 3G, 4× CPU)`,
    async run({ browser, url }) {
      const context = await freshContext(browser, { serviceWorkers: 'block' });
      try {
        const page = await context.newPage();
        await throttle(page, { network: FAST_3G });
        await watchFor(page, '[data-testid="pending"]');
        await page.goto(url, { waitUntil: 'commit' });
        await page.locator(PIN_FIELD).first().waitFor({ timeout: 120_000 });
        await page.waitForTimeout(choosingMs);
        await page.getByLabel('Choisis un NIP').fill(PIN);
        await page.getByLabel('Confirme le NIP').fill(PIN);
        await page.evaluate(() => document.addEventListener('click', () => {
          window.__benchTapAt ??= performance.now();
        }, true));
        await page.getByRole('button', { name: 'Créer mon NIP' }).click();
        const shown = await shownAt(page);
        const tapped = await page.evaluate(() => window.__benchTapAt);
        return { ms: shown - tapped };
      } finally {
        await context.close();
      }
    },
  };
}

export const firstAfterSixSeconds = firstVisit('first6', 6000);
export const firstAtOnce = firstVisit('first0', 0);
