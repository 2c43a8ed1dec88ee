// Unlocking a phone that holds 20 000 records, at 4× CPU: the PIN key derivation
// (PBKDF2, 600 000 rounds) on its own, and everything after it until the day's screen is
// shown (reading, unsealing and indexing the records).
import { device, unlock, between, clearMarks } from './device.mjs';

export default {
  id: 'unlock',
  title: 'unlock with 20 000 records (4× CPU): beyond the PIN derivation; pbkdf2 apart',
  async run(env) {
    const { page } = await device(env, { key: 'large', count: 20_000 });
    await page.getByRole('button', { name: 'Verrouiller' }).click();
    await clearMarks(page);
    await unlock(page);
    const shown = await page.evaluate(() => performance.now());
    const derived = await page.evaluate(() => performance.getEntriesByName('unlock:derived').at(-1).startTime);
    const pbkdf2 = await between(page, 'unlock:start', 'unlock:derived');
    // Where the time goes (marks of the bench build).
    const steps = {};
    const names = ['unlock:derived', 'load:read', 'load:rows', 'load:unsealed', 'load:decoded', 'load:presets', 'load:indexed', 'unlock:done'];
    for (let i = 1; i < names.length; i++) {
      const step = await between(page, names[i - 1], names[i]);
      if (!Number.isNaN(step)) steps[names[i].split(':')[1]] = Math.round(step);
    }
    steps.render = Math.round(shown - (await page.evaluate(() => performance.getEntriesByName('unlock:done').at(-1).startTime)));
    // The older records, read from their blocks in the background after the screen is up.
    await page.waitForFunction(() => performance.getEntriesByName('unlock:complete').length > 0, null, { timeout: 120_000 });
    const all = await between(page, 'unlock:derived', 'unlock:complete');
    return { ms: shown - derived, pbkdf2, all, ...steps };
  },
};
