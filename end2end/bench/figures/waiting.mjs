// A phone whose records are waiting (never paired, or its server out of reach for weeks):
// 30, 1 000 and 5 000 records of the 30 days before yesterday, none synced, seeded through the bench
// build's `bench_seed`. The phone is not paired, so nothing leaves while it is measured.
// Each save: from the tap on « Enregistrer » to the IndexedDB commit (`save:start` →
// `save:durable`), through a shortcut, 20 saves, at full CPU and at 4×; the unlock at 4×,
// from the derived key to the day's screen (as `unlock`), and to the moment every row is read
// (`rowsIn`: the queue's count shows). The product's rule: a save and
// an unlock cost the same on every phone, so each should stay within 1.2× of its figure
// with 30 records.
import { writeFileSync } from 'node:fs';
import { device, clearMarks, timedSaves, timedUnlock } from './device.mjs';
import { logContact } from '../../tests/harness.mjs';

/** p50 and p95 of 20 saves through the first shortcut, at the CPU rate `rate`. */
async function saves(page, cdp, rate) {
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const timed = await timedSaves(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return timed;
}

async function waitingPhone(env, count) {
  // Before today: the day's screen holds the same records on every phone (the one logged
  // here and the timed saves), so the figures compare what waits, not the day's size.
  const made = await device({ ...env, server: null }, { key: `waiting-${count}`, count, pending: true, days: 30, skipDays: 1 });
  const { page } = made;
  if ((await page.locator('.preset-apply').count()) === 0) {
    // A record of today, made a shortcut: what every save then applies.
    await logContact(page, 'Rue');
    await page.getByRole('button', { name: /^Raccourci — / }).first().click();
    await page.locator('.preset-apply').first().waitFor();
  }
  return made;
}

function saveFigure(count) {
  return {
    id: `wsave${count}`,
    title: `« Enregistrer » to durable with ${count} records waiting: p95 at 4× CPU; p50 apart, and both at full CPU`,
    async run(env) {
      const { page, cdp } = await waitingPhone(env, count);
      // CARNET_BENCH_PROFILE=file.cpuprofile: a CPU profile of the saves at 4× (names with a
      // `data-keep-debug` build; `node end2end/bench/profile_top.mjs FILE`).
      const profile = process.env.CARNET_BENCH_PROFILE;
      if (profile) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
      const slow = await saves(page, cdp, 4);
      if (profile) writeFileSync(profile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
      const full = await saves(page, cdp, 1);
      return {
        ms: slow.p95, p50x4: slow.p50, p95x1: full.p95, p50x1: full.p50,
        // Medians of each step at 4×: the form checked, sealed, the hint read, committed.
        checked: slow.checked, sealed: slow.sealed, read: slow.read, committed: slow.committed,
      };
    },
  };
}

function unlockFigure(count) {
  return {
    id: `wunlock${count}`,
    title: `unlock with ${count} records waiting (4× CPU): to the day's screen beyond the PIN derivation`,
    async run(env) {
      const { page } = await waitingPhone(env, count);
      await page.getByRole('button', { name: 'Verrouiller' }).click();
      await clearMarks(page);
      const { ms, pbkdf2 } = await timedUnlock(page);
      // Where it goes before the day's screen: reading the day's rows (or every row, with no
      // day's hint), unsealing their bodies, decoding them, the book. Then, after the screen,
      // every other row: `rowsIn` is when the queue is known (its count in the header).
      await page.waitForFunction(() => performance.getEntriesByName('unlock:rows').length > 0
        || document.querySelector('[data-testid="pending"]:not([aria-busy])'), null, { timeout: 120_000 });
      const marks = await page.evaluate(() => {
        const derived = performance.getEntriesByName('unlock:derived').at(-1).startTime;
        const first = (name) => performance.getEntriesByName(name).find((e) => e.startTime >= derived)?.startTime;
        return {
          derived, rows: first('load:rows'), unsealed: first('load:unsealed'),
          decoded: first('load:decoded'), indexed: first('load:indexed'), all: first('unlock:rows'),
        };
      });
      return {
        ms,
        pbkdf2,
        rows: marks.rows - marks.derived,
        unseal: marks.unsealed - marks.rows,
        decode: marks.decoded - marks.unsealed,
        book: marks.indexed - marks.decoded,
        // No `unlock:rows` mark: every row was read before the screen.
        rowsIn: (marks.all ?? marks.indexed) - marks.derived,
      };
    },
  };
}

export default [30, 1_000, 5_000].flatMap((n) => [saveFigure(n), unlockFigure(n)]);
