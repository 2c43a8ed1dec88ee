// « Enregistrer » to durable on a phone that holds 20 000 records, at 4× CPU: from the tap
// to the IndexedDB commit (strict durability), 20 saves through a shortcut; p95 per run.
import { device, timedSaves } from './device.mjs';

export default {
  id: 'save',
  title: '« Enregistrer » to durable, p95 of 20 saves, 20 000 records (4× CPU)',
  async run(env) {
    const { page } = await device(env, { key: 'large', count: 20_000 });
    // A shortcut from a record of the day (made once).
    if ((await page.locator('.preset-apply').count()) === 0) {
      await page.getByRole('button', { name: /^Raccourci — / }).first().click();
      await page.locator('.preset-apply').first().waitFor();
    }
    const { p50, p95 } = await timedSaves(page);
    return { ms: p95, p50 };
  },
};
