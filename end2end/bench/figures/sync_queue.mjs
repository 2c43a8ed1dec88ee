// Sending 5 000 queued records to a server on this machine (loopback), at 4× CPU: from the
// tap on « Synchroniser » until nothing is pending. A fresh phone per run. `sync3g`: the
// same over DevTools' « Fast 3G » (562.5 ms round trip, 84 375 B/s up), to see how the
// request size settles on a slow link (`requests`: how many the run took).
import { writeFileSync } from 'node:fs';
import { device } from './device.mjs';
import { FAST_3G } from '../lib.mjs';

let run = 0;

const figure = ({ id, title, network = null }) => ({
  id,
  title,
  async run(env) {
    if (!env.server) throw new Error('the sync figure needs its own server (no --url)');
    run += 1;
    const { page, context, cdp } = await device(env, { key: `sync-${run}`, count: 5_000, pending: true });
    try {
      if (network) await cdp.send('Network.emulateNetworkConditions', network);
      // CARNET_BENCH_PROFILE=file.cpuprofile: a CPU profile of the run (open it in DevTools;
      // build with `data-keep-debug` on the rust link for function names).
      const profile = process.env.CARNET_BENCH_PROFILE;
      if (profile) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
      const started = await page.evaluate(() => performance.now());
      await page.getByRole('button', { name: 'Synchroniser' }).click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="pending"]')?.textContent === 'Tout est synchronisé',
        null,
        { timeout: 600_000, polling: 50 },
      );
      const ended = await page.evaluate(() => performance.now());
      // After the run, the app folds the sync log into the rows, in the background.
      // (Builds from before the log rewrote rows instead: they mark `sync:m-json`.)
      const foldedAfter = (since) =>
        performance.getEntriesByName('sync:folded').find((m) => m.startTime > since)?.startTime;
      const logged = await page.evaluate(() => performance.getEntriesByName('sync:m-json').length === 0);
      // The fold that follows unlocking can end during the run: the run's own comes after it.
      if (logged) await page.waitForFunction(foldedAfter, ended, { timeout: 300_000, polling: 50 });
      const folded = logged ? await page.evaluate(foldedAfter, ended) : ended;
      if (profile) {
        const { profile: taken } = await cdp.send('Profiler.stop');
        writeFileSync(profile, JSON.stringify(taken));
      }
      // Per batch, summed over the run (marks of the bench build).
      const steps = await page.evaluate((since) => {
        const marks = performance
          .getEntriesByType('mark')
          .filter((m) => m.name.startsWith('sync:') && m.startTime >= since);
        const sums = {};
        for (let i = 1; i < marks.length; i++) {
          const key = `${marks[i - 1].name.slice(5)}>${marks[i].name.slice(5)}`;
          sums[key] = (sums[key] ?? 0) + marks[i].startTime - marks[i - 1].startTime;
        }
        return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Math.round(v)]));
      }, started);
      const requests = await page.evaluate(
        (since) => performance.getEntriesByName('sync:answered').filter((m) => m.startTime >= since).length,
        started,
      );
      return { ms: ended - started, requests, 'log folded after': Math.round(folded - ended), ...steps };
    } finally {
      await context.close();
    }
  },
});

export default figure({ id: 'sync', title: 'sync of 5 000 queued records, loopback server (4× CPU)' });
export const sync3g = figure({
  id: 'sync3g',
  title: 'sync of 5 000 queued records over « Fast 3G » (4× CPU)',
  network: FAST_3G,
});
