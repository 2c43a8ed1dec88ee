// A new version is deployed while the app is open: the app learns it from its service
// worker and offers « Nouvelle version — recharger » without touching the form being
// filled; the button brings the new version, which then opens offline too. The old offline
// cache goes only once no page runs the old version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startServer, launchPhone, setPin, unlock, screenshot, pairedPhone, logContact, deviceRows, DIST,
} from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let server;
let phone;
let second;

/**
 * Another build, as a deploy brings: the first one with a changed page (`marker` in
 * index.html), the app's module under new names (the old ones are gone from the server),
 * and a new service worker version, compressed again by the build's own step.
 */
function otherBuild(marker = '2') {
  const dir = mkdtempSync(join(tmpdir(), `carnet-dist${marker}-`));
  cpSync(DIST, dir, { recursive: true });
  const app = join(dir, 'app');
  const [, hash] = readdirSync(app).map((f) => /^carnet-app-([0-9a-f]+)\.js$/.exec(f)).find(Boolean) ?? [];
  assert.ok(hash, 'no app module in dist/app/');
  const renamed = `${[...hash].reverse().join('')}`.slice(0, hash.length - marker.length) + marker;
  assert.notEqual(renamed, hash);
  for (const f of readdirSync(app).filter((f) => f.includes(hash))) {
    if (/\.(br|gz)$/.test(f)) rmSync(join(app, f));
    else renameSync(join(app, f), join(app, f.replace(hash, renamed)));
  }
  const rewrite = (file, edit) => writeFileSync(file, edit(readFileSync(file, 'utf8').replaceAll(hash, renamed)));
  rewrite(join(dir, 'index.html'), (html) => {
    assert.ok(html.includes('</title>'));
    return html.replace('</title>', `</title><meta name="carnet-build" content="${marker}">`);
  });
  rewrite(join(dir, 'sw.js'), (worker) => {
    const version = /const VERSION = '([0-9a-f]+)';/.exec(worker);
    assert.ok(version, 'sw.js has no build version');
    return worker.replace(version[0], `const VERSION = '${version[1]}b${marker}';`);
  });
  execFileSync('node', [join(root, 'scripts', 'precompress.mjs'), dir], { stdio: 'ignore' });
  return dir;
}

/** Gives every file of a build one modification time, as reproducible builds do. */
function stamp(dir, when) {
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, entry);
    if (statSync(file).isFile()) utimesSync(file, when, when);
  }
}

const build = (page) => page.evaluate(() => document.querySelector('meta[name="carnet-build"]')?.content ?? '1');
const shellCaches = (page) => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('carnet-shell-')));
const banner = (page) => page.getByRole('status').filter({ hasText: 'Nouvelle version' });

before(async () => {
  second = otherBuild('2');
  server = await startServer();
  phone = await launchPhone();
});

after(async () => {
  await phone?.browser.close();
  await server?.stop();
  if (second) rmSync(second, { recursive: true, force: true });
});

test('a deploy is offered, not forced; reloading brings it, offline too', async () => {
  const { page, context, errors } = phone;
  const origin = server.url;
  await page.goto(origin);
  await setPin(page);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20_000 });
  const [firstCache] = await shellCaches(page);
  assert.ok(firstCache);
  assert.equal(await build(page), '1');
  // A second tab of the same version (the worker's phone may have two).
  const other = await context.newPage();
  await other.goto(origin);
  await other.getByLabel('NIP', { exact: true }).waitFor();

  // The worker is filling a form when the new version is deployed.
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'Bar érotique' }).check();
  await page.evaluate(() => { window.__sameDocument = true; });
  await server.deploy(second);
  assert.equal(server.url, origin);

  // Back online, the app asks its worker to look for a new version, and offers it.
  await context.setOffline(true);
  await context.setOffline(false);
  await banner(page).waitFor({ timeout: 30_000 });
  await banner(page).getByText('Nouvelle version').waitFor();
  await screenshot(page, 'update-offered-during-a-form');
  // Nothing was interrupted: same document, same screen, the choice still made.
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.equal(await page.getByRole('radio', { name: 'Bar érotique' }).isChecked(), true);
  assert.equal(await build(page), '1');
  await page.waitForTimeout(1000);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded by itself');

  // « Recharger »: the new version, locked as after any reload.
  await Promise.all([
    page.waitForEvent('load', { timeout: 30_000 }),
    banner(page).getByRole('button', { name: 'Recharger' }).click(),
  ]);
  await unlock(page);
  assert.equal(await build(page), '2');
  assert.equal(await banner(page).count(), 0);
  // The other tab still runs the old version: its cache stays, and it gets the prompt.
  const kept = await shellCaches(page);
  assert.equal(kept.length, 2, `caches: ${kept}`);
  // Its lock screen opens its own version's app, whose files the server no longer has and
  // the new worker's cache never held: the start-up module fetched it when it came up.
  await unlock(other);
  assert.equal(await build(other), '1');
  await banner(other).waitFor({ timeout: 30_000 });
  assert.equal(await build(other), '1');
  await Promise.all([
    other.waitForEvent('load', { timeout: 30_000 }),
    banner(other).getByRole('button', { name: 'Recharger' }).click(),
  ]);
  assert.equal(await build(other), '2');
  // No page runs the old version any more: its cache is gone.
  await page.waitForFunction(
    async (old) => !(await caches.keys()).includes(old),
    firstCache,
    { timeout: 10_000, polling: 200 },
  );
  assert.equal((await shellCaches(page)).length, 1);
  await other.close();

  // Offline, the new version opens from the phone.
  await context.setOffline(true);
  await page.reload();
  await unlock(page);
  assert.equal(await build(page), '2');
  assert.equal(await banner(page).count(), 0);
  await context.setOffline(false);
  assert.deepEqual(errors, []);
});

test('a build with older files, then a rollback, each reach the phone; nothing lost or sent twice', async () => {
  // Build A, then build B whose files are all a year older (a rollback, or a reproducible
  // build), then A again with B's file times: only the files' contents tell them apart.
  const builds = { A: otherBuild('A'), B: otherBuild('B') };
  const yearAgo = new Date(Date.now() - 365 * 86_400_000);
  stamp(builds.B, yearAgo);
  const rolling = await startServer();
  const phone2 = await launchPhone();
  try {
    const { page, context, errors } = phone2;
    await rolling.deploy(builds.A);
    await page.goto(rolling.url);
    await pairedPhone(page, rolling);
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20_000 });
    assert.equal(await build(page), 'A');
    // Two records synced, one waiting.
    await logContact(page, 'Bar érotique');
    await logContact(page, 'Rue');
    await page.getByRole('button', { name: 'Synchroniser' }).click();
    await page.getByText('2 contacts synchronisés.').waitFor();
    await logContact(page, 'Salon de massage');

    const offeredAndTaken = async (marker) => {
      // The worker is filling a form when the deploy lands: the offer never interrupts it.
      await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
      await page.getByRole('radio', { name: 'Agence d\'escortes' }).check();
      await page.evaluate(() => { window.__sameDocument = true; });
      await context.setOffline(true);
      await context.setOffline(false);
      await banner(page).waitFor({ timeout: 30_000 });
      assert.equal(await page.evaluate(() => window.__sameDocument), true);
      assert.equal(await page.getByRole('radio', { name: 'Agence d\'escortes' }).isChecked(), true);
      await Promise.all([
        page.waitForEvent('load', { timeout: 30_000 }),
        banner(page).getByRole('button', { name: 'Recharger' }).click(),
      ]);
      await unlock(page);
      assert.equal(await build(page), marker);
      // The form being filled comes back, sealed meanwhile; « Annuler » leaves it.
      assert.equal(await page.getByRole('radio', { name: 'Agence d\'escortes' }).isChecked(), true);
      await page.getByRole('button', { name: 'Annuler' }).click();
    };

    await rolling.deploy(builds.B);
    await offeredAndTaken('B');
    await rolling.deploy(builds.A);
    stamp(builds.A, yearAgo);
    await offeredAndTaken('A');

    // Every record is still on the phone; the waiting one goes once, the synced ones not again.
    const rows = await deviceRows(page);
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.map((r) => r.state).sort(), ['pending', 'synced', 'synced']);
    await page.getByRole('button', { name: 'Synchroniser' }).click();
    await page.getByText('1 contact synchronisé.').waitFor();
    const onServer = await rolling.records();
    assert.equal(onServer.length, 3);
    assert.equal(new Set(onServer.map((r) => r.id)).size, 3);
    assert.deepEqual(onServer.map((r) => r.version), [1, 1, 1]);
    for (const r of onServer) assert.equal((await rolling.versions(r.id)).length, 1, 'sent once');
    assert.deepEqual(errors, []);
  } finally {
    await phone2.browser.close();
    await rolling.stop();
    for (const dir of Object.values(builds)) rmSync(dir, { recursive: true, force: true });
  }
});
