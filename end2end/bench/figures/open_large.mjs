// Opening Carnet on a phone that holds 20 000 records, as a worker does every time: the
// page loads offline from the service worker (the start-up module, `src/boot/`), the PIN
// is typed at once (no typing time for the app's module to load meanwhile: the worst
// case), then from the derived key to the day's screen painted — handing over to the
// app's module, starting it, reading and unsealing the recent rows, rendering. At 4× CPU.
import { device, PIN, between } from './device.mjs';

export default {
  id: 'open',
  title: 'open with 20 000 records (offline, 4× CPU, PIN typed at once): to the day\'s screen beyond the PIN derivation',
  async run(env) {
    const { page, context } = await device(env, { key: 'large', count: 20_000 });
    await context.setOffline(true);
    try {
      await page.reload();
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
      const handover = await between(page, 'unlock:derived', 'app:started');
      return { ms: shown - derived, pbkdf2, handover };
    } finally {
      await context.setOffline(false);
    }
  },
};
