// « Mes chiffres » for the year on a phone that holds 20 000 records, at 4× CPU: the
// report computed from the device's records.
import { writeFileSync } from 'node:fs';
import { device, between, clearMarks } from './device.mjs';

export default {
  id: 'figures',
  title: '« Mes chiffres » for a year, 20 000 records (4× CPU)',
  async run(env) {
    const { page, cdp } = await device(env, { key: 'large', count: 20_000 });
    await page.getByRole('button', { name: 'Chiffres' }).click();
    await page.getByRole('radio', { name: 'Aujourd\'hui', exact: true }).check();
    await clearMarks(page);
    // CARNET_BENCH_PROFILE=file.cpuprofile: a CPU profile of the computation (build with
    // `data-keep-debug` on the rust link for function names; `node
    // end2end/bench/profile_top.mjs FILE` lists where the time went).
    const profile = process.env.CARNET_BENCH_PROFILE;
    if (profile) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
    await page.getByRole('radio', { name: 'Année' }).check();
    await page.waitForFunction(() => performance.getEntriesByName('figures:done').length > 0);
    if (profile) writeFileSync(profile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    const ms = await between(page, 'figures:start', 'figures:done');
    await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
    return { ms };
  },
};
