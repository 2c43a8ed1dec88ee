// Opening Carnet on a phone that holds 20 000 records, as a worker does every time: the
// page loads offline from the service worker (the start-up module, `src/boot/`), the PIN
// is typed at once (no typing time for the app's module to load meanwhile: the worst
// case), then from the derived key to the day's screen painted — handing over to the
// app's module, starting it, reading and unsealing the recent rows, rendering. At 4× CPU.
import { device, between, timedUnlock } from './device.mjs';

export default {
  id: 'open',
  title: 'open with 20 000 records (offline, 4× CPU, PIN typed at once): to the day\'s screen beyond the PIN derivation',
  async run(env) {
    const { page, context } = await device(env, { key: 'large', count: 20_000 });
    await context.setOffline(true);
    try {
      await page.reload();
      const { ms, pbkdf2 } = await timedUnlock(page);
      const handover = await between(page, 'unlock:derived', 'app:started');
      return { ms, pbkdf2, handover };
    } finally {
      await context.setOffline(false);
    }
  },
};
