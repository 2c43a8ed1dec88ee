// Unlocking a phone that holds 20 000 records, at 4× CPU: the PIN key derivation
// (PBKDF2, 600 000 rounds) on its own, then from the derived key to the day's screen
// painted (reading and unsealing the recent rows, indexing, rendering); and, apart, until
// the older records (sealed in blocks) are read in the background.
import { device, PIN, between, clearMarks } from './device.mjs';

export default {
  id: 'unlock',
  title: 'unlock with 20 000 records (4× CPU): to the day\'s screen beyond the PIN derivation; pbkdf2 and all records apart',
  async run(env) {
    const { page } = await device(env, { key: 'large', count: 20_000 });
    await page.getByRole('button', { name: 'Verrouiller' }).click();
    await clearMarks(page);
    // In the page: the frame after the day's screen (the pending count) is in the DOM.
    await page.evaluate(() => {
      window.__shown = undefined;
      const observer = new MutationObserver(() => {
        if (window.__shown === undefined && document.querySelector('[data-testid="pending"]')) {
          window.__shown = null;
          observer.disconnect();
          requestAnimationFrame(() => { window.__shown = performance.now(); });
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    await page.getByLabel('NIP', { exact: true }).fill(PIN);
    await page.getByRole('button', { name: 'Déverrouiller' }).click();
    const shown = await (await page.waitForFunction(() => window.__shown ?? undefined, null, { timeout: 120_000 })).jsonValue();
    const derived = await page.evaluate(() => performance.getEntriesByName('unlock:derived').at(-1).startTime);
    const pbkdf2 = await between(page, 'unlock:start', 'unlock:derived');
    const rows = await between(page, 'unlock:derived', 'load:rows');
    const opened = await between(page, 'load:rows', 'load:decoded');
    await page.waitForFunction(() => performance.getEntriesByName('unlock:complete').length > 0, null, { timeout: 120_000 });
    const all = await between(page, 'unlock:derived', 'unlock:complete');
    return { ms: shown - derived, pbkdf2, rows, opened, all };
  },
};
