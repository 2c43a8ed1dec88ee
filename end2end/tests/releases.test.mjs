// Each release can be opened by the next: for every release's fixtures (`end2end/fixtures/
// <release>/`, captured by `fixtures/capture.mjs`), this build opens the phone's stored
// values, shows every record on its day, pairs again and syncs each waiting record
// exactly once; the current server takes that release's requests as they were sent; and a
// device a newer build wrote is neither opened nor changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import {
  startServer, launchChromium, PHONE, unlock, enterPairingCode, rawDeviceStorage, deviceRows,
} from './harness.mjs';
import { startProxy } from './faultproxy.mjs';
import { fixtureFolders, loadFixture, writeDevice } from '../fixtures/device.mjs';

let server;
let proxy;
let browser;

before(async () => {
  server = await startServer();
  proxy = await startProxy(server.url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await server?.stop();
});

const JOURS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
const MOIS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
  'octobre', 'novembre', 'décembre'];

/** « vendredi 5 juin 2026 »: the heading of a past day (`YYYY-MM-DD`). */
function dayTitle(day) {
  const [y, m, d] = day.split('-').map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${JOURS[weekday]} ${d} ${MOIS[m - 1]} ${y}`;
}

/**
 * A phone whose storage holds `device` before the app first starts, its clock at the
 * fixture's capture: the values are written from a page of the origin that is not the app.
 */
async function phoneWith(fixture, device = fixture.device) {
  const context = await browser.newContext(PHONE);
  await context.clock.install({ time: new Date(fixture.captured_at) });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const loader = new URL('__device', proxy.url).href;
  await page.route(loader, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>device</title>' }));
  await page.goto(loader);
  await page.evaluate(writeDevice, device);
  return { context, page, errors };
}

/** The records of every batch the server answered since `from` (an index of `proxy.forwarded()`). */
function batchesSince(from) {
  return proxy.forwarded().slice(from)
    .filter((r) => r.method === 'POST' && r.url === '/api/v1/records')
    .map((r) => {
      const body = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;
      return { status: r.answer.status, records: JSON.parse(body.toString('utf8')).records };
    });
}

/** Waits until the element `testid` reads `want`; says what it read instead. */
async function textOf(page, testid, want) {
  try {
    await page.waitForFunction(
      ([id, w]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === w,
      [testid, want],
      { timeout: 30_000 },
    );
  } catch {
    const got = await page.getByTestId(testid).first().textContent({ timeout: 1_000 }).catch(() => null);
    assert.fail(`${testid}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
}

/** The latest version of each record the server holds for the worker of `token`. */
async function recordsOf(token) {
  const r = await fetch(new URL('api/v1/records', server.url), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  return (await r.json()).records.map((x) => ({ id: x.id, version: x.version, ...(x.deleted ? { deleted: true } : {}) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

for (const release of fixtureFolders()) {
  const fixture = loadFixture(release);

  test(`${release}: this build opens the phone's values, shows every record, syncs each waiting one once`, async () => {
    const { context, page, errors } = await phoneWith(fixture);
    try {
      await page.goto(proxy.url);
      await unlock(page, fixture.pin);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), fixture.theme);

      // Every day's records, on their day (the older ones come from the sealed blocks).
      const order = Object.keys(fixture.days).sort().reverse();
      for (const [i, day] of order.entries()) {
        if (i > 0) await page.getByRole('button', { name: '‹ Jour précédent' }).click();
        const want = fixture.days[day];
        await textOf(page, 'contacts-today', String(want.contacts));
        const heading = await page.locator('#today-title').textContent();
        assert.equal(heading, i === 0 ? 'Aujourd\'hui' : dayTitle(day), `the day of ${day}`);
        const activities = Object.values(want.activities).reduce((a, n) => a + n, 0);
        assert.equal(await page.locator('ul.contacts > li').count(), want.contacts + activities, `records listed on ${day}`);
        for (const [label, n] of Object.entries(want.activities)) {
          assert.match(await page.getByTestId('activities').innerText(), new RegExp(`${label}\\s+${n}`));
        }
      }
      await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
      const shortcuts = page.getByRole('list', { name: 'Raccourcis' }).locator('button.preset-apply');
      await shortcuts.first().waitFor();
      assert.deepEqual(await shortcuts.allInnerTexts(), fixture.shortcuts);
      await textOf(page, 'to-fix', `${fixture.refused.length} à corriger`);

      // The captured token belongs to a server that is gone: pair again (a worker of its
      // own per release), then sync.
      const worker = `phone-${release}`;
      const token = server.addWorker(worker);
      const from = proxy.forwarded().length;
      await enterPairingCode(page, server.pairingCode(worker));
      await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
      await page.getByRole('button', { name: 'Synchroniser' }).click();
      await textOf(page, 'pending', 'Tout est synchronisé');

      // Each waiting record reached the server once; nothing synced before went again.
      const onServer = await recordsOf(token);
      assert.deepEqual(onServer, fixture.waiting);
      const sent = batchesSince(from);
      const accepted = sent.filter((b) => b.status === 200).flatMap((b) => b.records.map((r) => r.id)).sort();
      assert.deepEqual(accepted, fixture.waiting.map((w) => w.id), 'each waiting record in one accepted batch');
      const everSent = new Set(sent.flatMap((b) => b.records.map((r) => r.id)));
      for (const { id } of fixture.on_server) assert.ok(!everSent.has(id), `${id} was synced before, and sent again`);
      for (const id of fixture.refused) assert.ok(!everSent.has(id), 'a refused record waits for its correction');
      const rows = await deviceRows(page);
      const states = Object.fromEntries(rows.map((r) => [r.id, r.state]));
      for (const { id } of fixture.waiting) assert.equal(states[id], 'synced');
      for (const id of fixture.refused) assert.equal(states[id], 'rejected');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test(`${release}: the current server takes that release's requests, once`, async () => {
    const token = server.addWorker(`replay-${release}`);
    const replay = async () => {
      const outcomes = [];
      for (const r of fixture.requests) {
        const headers = { Authorization: `Bearer ${token}` };
        let body;
        if (r.body !== undefined) {
          headers['content-type'] = r.content_type;
          if (r.content_encoding) headers['content-encoding'] = r.content_encoding;
          body = r.content_encoding ? Buffer.from(r.body, 'base64') : JSON.stringify(r.body);
        }
        const res = await fetch(new URL(r.path.slice(1), server.url), { method: r.method, headers, body });
        const answer = await res.text();
        // Answered as that release's server answered it (a device report: 204, no body).
        assert.equal(res.status, r.status, `${r.method} ${r.path}: ${res.status} ${answer.slice(0, 200)}`);
        if (r.method === 'POST' && r.path === '/api/v1/records') {
          outcomes.push(JSON.parse(answer).results.map((x) => x.status));
        }
      }
      return outcomes;
    };
    const first = await replay();
    assert.ok(first.length > 0, 'the fixture holds batches');
    for (const statuses of first) assert.ok(statuses.every((s) => s === 'stored'), `first replay: ${statuses}`);
    const again = await replay();
    for (const statuses of again) assert.ok(statuses.every((s) => s === 'duplicate'), `second replay: ${statuses}`);
    // What the old server held, this one holds.
    assert.deepEqual(await recordsOf(token), fixture.on_server);
  });

  test(`${release}: a device a newer build wrote is neither opened nor changed`, async () => {
    const newer = structuredClone(fixture.device);
    newer.localStorage.push(['carnet.format', '999']);
    const { context, page, errors } = await phoneWith(fixture, newer);
    try {
      // The lock screen says why at once, in the worker's language; the right PIN opens
      // nothing, and nothing stored changes (the start-up module and the service worker
      // have run).
      const says = async (words, { label, button }) => {
        const before = await rawDeviceStorage(page);
        await page.goto(proxy.url);
        await page.getByRole('alert').getByText(words).waitFor();
        await page.getByLabel(label, { exact: true }).fill(fixture.pin);
        await page.getByRole('button', { name: button }).click();
        await page.getByRole('alert').getByText(words).waitFor();
        await new Promise((r) => setTimeout(r, 1_000));
        assert.equal(await page.getByTestId('pending').count(), 0, 'nothing opened');
        assert.equal(await rawDeviceStorage(page), before, 'the device was written');
      };
      await says(/^Une version plus récente de Carnet a enregistré ces données : rien n'a été ouvert ni modifié\./, { label: 'NIP', button: 'Déverrouiller' });
      await page.evaluate(() => localStorage.setItem('carnet.prefs', JSON.stringify({ lang: 'en', theme: 'dark' })));
      await says(/^A newer version of Carnet saved this data: nothing was opened or changed\./, { label: 'PIN', button: 'Unlock' });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
