// A phone full of records, for the figures that need one: a fresh profile with a PIN,
// paired, seeded through the app's own storage code (`bench_seed`, only in the bench build:
// `RUSTFLAGS="--cfg erase_components --cfg carnet_bench"`, see BENCHMARKS.md), then locked
// and unlocked so the app loads what was written. Kept across the runs of one figure.
import { freshContext, throttle, CPU_SLOWDOWN } from '../lib.mjs';
import { launchOnDisk, PHONE } from '../../tests/harness.mjs';

export const PIN = '246810';
const devices = new Map();

export async function unlock(page) {
  await page.getByLabel('NIP', { exact: true }).fill(PIN);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByTestId('pending').waitFor({ timeout: 300_000 });
}

/** A phone with `count` records (`pending` or synced) of the last `days` days. */
export async function device({ browser, url, server }, { key, count, pending = false, days = 365, skipDays = 0 }) {
  if (devices.has(key)) return devices.get(key);
  // CARNET_BENCH_DISK=1: IndexedDB on disk, as on a phone (a browser of its own per phone).
  const onDisk = process.env.CARNET_BENCH_DISK === '1';
  const context = onDisk ? await launchOnDisk(PHONE) : await freshContext(browser);
  const page = onDisk ? (context.pages()[0] ?? await context.newPage()) : await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(url);
  await page.getByLabel('Choisis un NIP').fill(PIN);
  await page.getByLabel('Confirme le NIP').fill(PIN);
  await page.getByRole('button', { name: 'Créer mon NIP' }).click();
  await page.getByTestId('pending').waitFor();
  if (server) {
    await page.getByRole('button', { name: 'Réglages' }).click();
    await page.getByLabel('Code de jumelage').fill(server.pairingCode('poste-e2e'));
    await page.getByRole('button', { name: 'Jumeler cet appareil' }).click();
    await page.getByText('Appareil jumelé.').waitFor();
    await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
  }
  const has = await page.evaluate(() => typeof window.wasmBindings?.bench_seed === 'function');
  if (!has) throw new Error('this build has no bench_seed: build with --cfg carnet_bench (BENCHMARKS.md)');
  const written = await page.evaluate(
    ([n, d, p, s]) => window.wasmBindings.bench_seed(n, d, p, s),
    [count, days, pending, skipDays],
  );
  if (written !== count) throw new Error(`seeded ${written} of ${count}`);
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await unlock(page);
  // As on a phone in use: the older synced records sealed into blocks in the background.
  if (!pending) {
    const deadline = Date.now() + 600_000;
    while ((await page.evaluate(() => window.wasmBindings.bench_rows())) >= 2_000) {
      if (Date.now() > deadline) throw new Error('the records were not sealed into blocks');
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  const { cdp } = await throttle(page, { cpu: CPU_SLOWDOWN });
  const made = { context, page, cdp };
  devices.set(key, made);
  return made;
}

/** Closes every phone kept across runs (those on disk are browsers of their own). */
export async function closeDevices() {
  for (const { context } of devices.values()) await context.close().catch(() => {});
  devices.clear();
}

/** Milliseconds between two `performance` marks (their last occurrences). */
export async function between(page, from, to) {
  return page.evaluate(([a, b]) => {
    const last = (name) => performance.getEntriesByName(name).at(-1)?.startTime;
    return last(b) - last(a);
  }, [from, to]);
}

/**
 * Types the PIN on the lock screen showing now and times the unlock in the page: from the
 * derived key (`unlock:derived`) to the frame after the day's screen (its pending count)
 * entered the DOM; the PIN derivation apart.
 */
export async function timedUnlock(page) {
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
  return { ms: shown - derived, pbkdf2: await between(page, 'unlock:start', 'unlock:derived') };
}

/**
 * Times `n` saves through the first shortcut, each from the tap on « Enregistrer » to the
 * IndexedDB commit (`save:start` → `save:durable`); their p50 and p95.
 */
export async function timedSaves(page, n = 20) {
  const samples = [];
  const steps = [];
  for (let i = 0; i < n; i++) {
    await clearMarks(page);
    await page.locator('.preset-apply').first().click();
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Enregistré sur l\'appareil.').waitFor();
    samples.push(await between(page, 'save:start', 'save:durable'));
    // Where it goes: checking the form, sealing the body and the day's hint, the
    // transaction until the hint is read, then until the commit.
    steps.push(await page.evaluate(() => {
      const at = (n) => performance.getEntriesByName(n).at(-1)?.startTime;
      const names = ['save:start', 'save:checked', 'save:sealed', 'save:read', 'save:durable'];
      return names.slice(1).map((n, i) => at(n) - at(names[i]));
    }));
  }
  samples.sort((a, b) => a - b);
  const median = (i) => steps.map((s) => s[i]).sort((a, b) => a - b)[steps.length >> 1];
  return {
    p50: samples[samples.length >> 1],
    p95: samples[Math.ceil(samples.length * 0.95) - 1],
    checked: median(0), sealed: median(1), read: median(2), committed: median(3),
  };
}

export async function clearMarks(page) {
  await page.evaluate(() => performance.clearMarks());
}
