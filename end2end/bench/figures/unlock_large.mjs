// Unlocking a phone that holds 20 000 records, at 4× CPU: the PIN key derivation
// (PBKDF2, 600 000 rounds) on its own, then from the derived key to the day's screen
// painted (reading and unsealing the recent rows, indexing, rendering); and, apart, until
// the older records (sealed in blocks) are read in the background.
import { device, between, clearMarks, timedUnlock } from './device.mjs';

export default {
  id: 'unlock',
  title: 'unlock with 20 000 records (4× CPU): to the day\'s screen beyond the PIN derivation; pbkdf2 and all records apart',
  async run(env) {
    const { page } = await device(env, { key: 'large', count: 20_000 });
    await page.getByRole('button', { name: 'Verrouiller' }).click();
    await clearMarks(page);
    const { ms, pbkdf2 } = await timedUnlock(page);
    const rows = await between(page, 'unlock:derived', 'load:rows');
    const opened = await between(page, 'load:rows', 'load:decoded');
    await page.waitForFunction(() => performance.getEntriesByName('unlock:complete').length > 0, null, { timeout: 120_000 });
    const all = await between(page, 'unlock:derived', 'unlock:complete');
    return { ms, pbkdf2, rows, opened, all };
  },
};
