// « Mes chiffres » for the year on a phone that holds 20 000 records, at 4× CPU: the
// report computed from the device's records.
import { device, between, clearMarks } from './device.mjs';

export default {
  id: 'figures',
  title: '« Mes chiffres » for a year, 20 000 records (4× CPU)',
  async run(env) {
    const { page } = await device(env, { key: 'large', count: 20_000 });
    await page.getByRole('button', { name: 'Chiffres' }).click();
    await page.getByRole('radio', { name: 'Aujourd\'hui', exact: true }).check();
    await clearMarks(page);
    await page.getByRole('radio', { name: 'Année' }).check();
    await page.waitForFunction(() => performance.getEntriesByName('figures:done').length > 0);
    const ms = await between(page, 'figures:start', 'figures:done');
    await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
    return { ms };
  },
};
