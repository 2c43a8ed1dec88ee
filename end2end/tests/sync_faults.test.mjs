// Never lose or double-count a record on bad signal. A proxy between the phone and the real
// server drops answers after the server committed, answers 502 with an HTML page, hangs past
// the phone's timeout, answers 429 with a Retry-After, cuts answers mid-body, or holds a
// batch in flight while the worker corrects, locks, reloads, opens a second tab or loses the
// network; the server can be SIGKILLed mid-batch. Every case ends with an exact check of
// both sides: every record the worker kept is on the server once, at its latest version;
// nothing deleted is counted; the device holds nothing pending that the server has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startServer, launchPhone, pairedPhone, setPin, unlock, enterPairingCode, deviceRows, screenshot, PIN,
  logContact, TEST_NOW, localDay,
} from './harness.mjs';
import { startProxy } from './faultproxy.mjs';

let server;
let proxy;
const phones = [];

before(async () => {
  server = await startServer();
  proxy = await startProxy(server.url);
});

after(async () => {
  for (const p of phones) await p.browser.close().catch(() => {});
  await proxy?.stop();
  await server?.stop();
});

/** A fresh phone (its own browser profile) on the proxy, PIN set and paired. */
async function newPhone() {
  const phone = await launchPhone({ acceptDownloads: true });
  phones.push(phone);
  const { page } = phone;
  await page.goto(proxy.url);
  await pairedPhone(page, server);
  return phone;
}

async function done(phone) {
  assert.deepEqual(phone.errors, [], 'no error in the page');
  await phone.browser.close();
  phones.splice(phones.indexOf(phone), 1);
}

function editButton(page, milieu) {
  const escaped = milieu.replace(/[/()]/g, '\\$&');
  return page.getByRole('button', { name: new RegExp(`^Modifier — \\d\\d:\\d\\d ${escaped}$`) });
}

async function correct(page, from, to) {
  await editButton(page, from).click();
  await page.getByRole('radio', { name: to, exact: true }).check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByText('Modification enregistrée.').waitFor();
}

async function remove(page, milieu) {
  await editButton(page, milieu).click();
  await page.getByRole('button', { name: 'Supprimer' }).click();
  await page.getByText('Supprimé.').first().waitFor();
}

const syncButton = (page) => page.getByRole('button', { name: /^Synchroni/ });

async function pendingIs(page, text, timeout = 30_000) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="pending"]')?.textContent === want,
    text,
    { timeout },
  );
}

async function statusShows(page, pattern, timeout = 30_000) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('[data-testid="sync-status"]')?.textContent ?? ''),
    pattern.source,
    { timeout },
  );
}

/** Syncs until nothing is pending and no run is going. */
async function syncAll(page) {
  await syncButton(page).click();
  await pendingIs(page, 'Tout est synchronisé', 60_000);
  await page.getByRole('button', { name: 'Synchroniser', exact: true }).waitFor();
}

function period() {
  const day = (d) => localDay(TEST_NOW.getTime() + d * 86_400_000);
  return [day(-2), day(2)];
}

/** The exact check of both sides. `live`: the records the worker kept (not deleted). */
async function assertAgreement(page, { live }) {
  const rows = await deviceRows(page);
  assert.deepEqual(
    rows.filter((r) => r.state !== 'synced').map((r) => [r.id, r.state]),
    [],
    'the device holds nothing pending',
  );
  const latest = await server.records();
  const onServer = new Map(latest.map((r) => [r.id, r]));
  assert.deepEqual(
    [...onServer.keys()].sort(),
    rows.map((r) => r.id).sort(),
    'the same records on both sides (deletions as tombstones), each once',
  );
  for (const row of rows) {
    assert.equal(onServer.get(row.id).version, row.version, `record ${row.id}: same latest version`);
  }
  assert.equal(latest.filter((r) => !r.deleted).length, live, 'records alive on the server');
  const [from, to] = period();
  assert.equal((await server.report(from, to)).interventions, live, 'interventions the report counts');
}

/** A clean server database between cases: the checks are exact, so each case starts empty. */
async function freshServer() {
  await server.stop();
  server = await startServer();
  proxy.setTarget(server.url);
}

/**
 * One case: a clean server, a fresh phone (paired) with `contacts` logged, then `body`
 * (the faults and the checks of both sides), then no error in the page.
 */
function faultCase(name, contacts, body) {
  test(name, async () => {
    await freshServer();
    const phone = await newPhone();
    for (const milieu of contacts) await logContact(phone.page, milieu);
    await body(phone);
    await done(phone);
  });
}

/** Taps « Synchroniser » with `fault` waiting at the proxy; returns once the batch is there. */
async function syncInto(page, fault) {
  const injected = proxy.inject(fault);
  await syncButton(page).click();
  await injected.arrived;
  return injected;
}

faultCase('lost answer, then correction: the correction is the next version, never refused', ['Bar érotique'], async ({ page, context }) => {
  // The server commits the batch, the answer is lost, and the signal goes.
  await syncInto(page, 'drop-after-commit');
  await context.setOffline(true);
  await statusShows(page, /Pas de connexion/);
  await page.getByText('Envoyé, non confirmé').waitFor();
  assert.equal((await server.records()).length, 1, 'the server holds version 1');

  await correct(page, 'Bar érotique', 'Rue');
  await pendingIs(page, '1 en attente');
  // Back online: the run resumes by itself and the correction arrives as version 2.
  await context.setOffline(false);
  await pendingIs(page, 'Tout est synchronisé');
  const [record] = await server.records();
  assert.deepEqual(
    (await server.versions(record.id)).map((v) => [v.version, v.milieu]),
    [[1, 'bar_erotique'], [2, 'rue']],
  );
  await assertAgreement(page, { live: 1 });
});

faultCase('lost answer, then deletion: a tombstone reaches the server, nothing is counted', ['Bar érotique', 'Salon de massage'], async ({ page, context }) => {
  await syncInto(page, 'drop-after-commit');
  await context.setOffline(true);
  await statusShows(page, /Pas de connexion/);

  await remove(page, 'Bar érotique');
  await pendingIs(page, '2 en attente');
  await context.setOffline(false);
  await pendingIs(page, 'Tout est synchronisé');
  const deleted = (await server.records()).filter((r) => r.deleted);
  assert.equal(deleted.length, 1);
  assert.equal(deleted[0].version, 2);
  await assertAgreement(page, { live: 1 });
});

faultCase('a correction made while its batch is in flight is not lost to the old acknowledgement', ['Bar érotique'], async ({ page }) => {
  const held = await syncInto(page, 'hold');
  await correct(page, 'Bar érotique', 'Rue');
  held.release('forward');
  await statusShows(page, /1 contact synchronisé/);
  // Version 1 is acknowledged; the correction still waits, and is sent next.
  await pendingIs(page, '1 en attente');
  await syncAll(page);
  const [record] = await server.records();
  assert.equal(record.version, 2);
  assert.deepEqual((await server.versions(record.id)).map((v) => v.milieu), ['bar_erotique', 'rue']);
  await assertAgreement(page, { live: 1 });
});

faultCase('locking during a sync stops the run; after unlocking, corrections and sync are safe', ['Bar érotique', 'Rue'], async ({ page }) => {
  const held = await syncInto(page, 'hold');
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await page.getByLabel('NIP', { exact: true }).waitFor();
  // The request the phone gave up on still reaches the server.
  held.release('forward');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await server.records()).length, 2);

  await unlock(page);
  await pendingIs(page, '2 en attente');
  assert.equal(await syncButton(page).isEnabled(), true, 'no run left behind by the lock');
  await correct(page, 'Bar érotique', 'Salon de massage');
  await syncAll(page);
  const versions = (await server.records()).map((r) => r.version).sort();
  assert.deepEqual(versions, [1, 2]);
  await assertAgreement(page, { live: 2 });
});

faultCase('two tabs: one syncs, the other edits and refreshes; one writer at a time', [], async (phone) => {
  const { page, context } = phone;
  const second = await context.newPage();
  second.on('pageerror', (e) => phone.errors.push(e.message));
  await second.goto(proxy.url);
  await unlock(second);
  await logContact(page, 'Bar érotique');
  await logContact(page, 'Rue');
  // The other tab learns of the new records without a reload.
  await pendingIs(second, '2 en attente');

  const held = await syncInto(page, 'hold');
  // The second tab cannot start another run of the same queue...
  await syncButton(second).click();
  await statusShows(second, /autre fenêtre/);
  // ... but can correct a record that is in flight: it becomes the next version.
  await correct(second, 'Bar érotique', 'Agence d\'escortes');
  held.release('forward');
  await statusShows(page, /2 contacts synchronisés/);
  await pendingIs(page, '1 en attente');
  await pendingIs(second, '1 en attente');
  await syncAll(second);
  await pendingIs(page, 'Tout est synchronisé');
  await editButton(page, 'Agence d\'escortes').waitFor();
  await assertAgreement(page, { live: 2 });
  const edited = (await server.records()).find((r) => r.version === 2);
  assert.deepEqual((await server.versions(edited.id)).map((v) => v.milieu), ['bar_erotique', 'agence_escortes']);
  await screenshot(second, 'sync-two-tabs');
});

faultCase('reload mid-sync: the records go out again and are counted once', ['Bar érotique', 'Rue', 'Salon de massage'], async ({ page }) => {
  const held = await syncInto(page, 'hold');
  await page.reload();
  held.release('forward');
  await unlock(page);
  await pendingIs(page, '3 en attente');
  await page.getByText('Envoyé, non confirmé').first().waitFor();
  await syncAll(page);
  await assertAgreement(page, { live: 3 });
});

faultCase('offline mid-sync, then back online: the run resumes by itself', ['Bar érotique', 'Rue', 'Salon de massage'], async ({ page, context }) => {
  const held = await syncInto(page, 'hold');
  await context.setOffline(true);
  held.release('drop-after-commit');
  await statusShows(page, /Pas de connexion/);
  await pendingIs(page, '3 en attente');
  await screenshot(page, 'sync-offline-unconfirmed');
  await context.setOffline(false);
  await statusShows(page, /3 contacts synchronisés/);
  await assertAgreement(page, { live: 3 });
});

faultCase('429 mid-sync: the phone waits for Retry-After, says so, and resumes by itself', ['Bar érotique', 'Rue'], async ({ page }) => {
  proxy.inject('rate-limit', { retryAfter: 3 });
  await syncButton(page).click();
  await statusShows(page, /2 en attente — nouvel essai dans \d+ s/);
  await screenshot(page, 'sync-retry-after');
  await statusShows(page, /2 contacts synchronisés/, 20_000);
  assert.equal(proxy.batches().filter((b) => b.fault === 'rate-limit').length, 1);
  await assertAgreement(page, { live: 2 });
});

faultCase('a 502 HTML page and an answer cut mid-body are lost answers: retried, counted once', ['Bar érotique', 'Rue'], async ({ page }) => {
  proxy.inject('bad-gateway-html');
  proxy.inject('cut-mid-body');
  await syncButton(page).click();
  await statusShows(page, /2 contacts synchronisés/, 30_000);
  assert.equal(proxy.pendingFaults(), 0);
  await assertAgreement(page, { live: 2 });
});

/**
 * Logs five contacts and syncs them through a proxy that lets two records a batch through
 * (nginx's `413` page past that); the batches the run sent, as the proxy saw them.
 */
async function syncFiveTwoAtATime(page) {
  for (const m of ['Bar érotique', 'Rue', 'Salon de massage', 'Rue', 'Bar érotique']) await logContact(page, m);
  proxy.limitRecords(2);
  try {
    const before = proxy.batches().length;
    await syncButton(page).click();
    await statusShows(page, /5 contacts synchronisés/, 30_000);
    return proxy.batches().slice(before);
  } finally {
    proxy.limitRecords(Infinity);
  }
}

faultCase('a proxy refuses a batch as too large (413): the same records go again, fewer at a time, once each', [], async ({ page }) => {
  const batches = await syncFiveTwoAtATime(page);
  // 5 refused, then 2 + 2 + 1 (the limit, learnt, holds for the rest of the run).
  assert.deepEqual(batches.map((b) => b.fault), ['too-large', null, null, null]);
  // Plain until the server's first answer says it reads gzip, compressed after.
  assert.deepEqual(batches.map((b) => b.encoding), [null, null, 'gzip', 'gzip']);
  await assertAgreement(page, { live: 5 });
});

faultCase('a server behind the same address that cannot read gzip: the batch goes again plain, once each', [], async ({ page }) => {
  proxy.plainOnly(true);
  let batches;
  try {
    batches = await syncFiveTwoAtATime(page);
  } finally {
    proxy.plainOnly(false);
  }
  // The second batch's answer says gzip; the third goes compressed, gets the older
  // server's 400, and goes again plain at once, as does the rest of the run.
  assert.deepEqual(batches.map((b) => b.fault), ['too-large', null, 'plain-only', null, null]);
  assert.deepEqual(batches.map((b) => b.encoding), [null, null, 'gzip', null, null]);
  await assertAgreement(page, { live: 5 });
});

faultCase('a batch that hangs past the timeout is abandoned and sent again', ['Bar érotique'], async ({ page }) => {
  proxy.inject('hang');
  await syncButton(page).click();
  // The phone gives up after its timeout (20 s), backs off, and sends again.
  await statusShows(page, /1 contact synchronisé/, 45_000);
  await assertAgreement(page, { live: 1 });
});

faultCase('the server is SIGKILLed mid-batch and restarted: nothing lost, nothing twice', ['Bar érotique', 'Rue', 'Salon de massage'], async ({ page, context }) => {
  const held = await syncInto(page, 'hold');
  await server.kill();
  held.release('server-down');
  await context.setOffline(true); // the phone stops retrying while the server is down
  await statusShows(page, /Pas de connexion|problème/);
  await server.restart();
  proxy.setTarget(server.url);
  await context.setOffline(false);
  await pendingIs(page, 'Tout est synchronisé');
  await assertAgreement(page, { live: 3 });
});

faultCase('export a backup, clear the origin\'s storage, import it (twice): nothing lost or doubled', ['Bar érotique', 'Rue', 'Salon de massage'], async ({ page, context }) => {
  // One record reached the server but its answer was lost; two never left.
  await remove(page, 'Salon de massage');
  const drop = await syncInto(page, 'hold');
  await context.setOffline(true);
  drop.release('drop-after-commit');
  await statusShows(page, /Pas de connexion/);
  // Still no network (else the run would resume by itself and sync them).
  await logContact(page, 'Agence d\'escortes');

  await page.getByRole('button', { name: 'Réglages' }).click();
  await page.getByText('Sauvegarde chiffrée').click();
  await page.getByLabel(/Phrase de passe de la sauvegarde/).fill('court');
  await page.getByRole('button', { name: 'Exporter une sauvegarde' }).click();
  await page.getByText('La phrase de passe doit avoir au moins 10 caractères.').waitFor();
  const passphrase = 'une phrase assez longue';
  await page.getByLabel(/Phrase de passe de la sauvegarde/).fill(passphrase);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Exporter une sauvegarde' }).click(),
  ]);
  const file = await download.path();
  const text = readFileSync(file, 'utf8');
  // Only the envelope is in clear; the records are inside `sealed` (random base64, which may
  // spell any short word by chance: the check looks for JSON strings, which base64 cannot hold).
  assert.deepEqual(Object.keys(JSON.parse(text)).sort(), ['format', 'iterations', 'salt', 'sealed', 'version']);
  assert.doesNotMatch(text, /"(bar_erotique|rue|agence[a-z_]*|catwoman|sante)"/i, 'no plaintext in the backup');
  await page.getByText(/Sauvegarde de 3 contact\(s\) téléchargée/).waitFor();

  // The phone is reset: every byte of the origin's storage goes. The app is closed first:
  // a page still open could write its profile list back (it resumes syncing once online).
  await page.goto('about:blank');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(proxy.url).origin, storageTypes: 'all' });
  await context.setOffline(false);
  await page.goto(proxy.url);
  await setPin(page, PIN);
  await enterPairingCode(page, server.pairingCode('poste-e2e'));
  assert.equal((await deviceRows(page)).length, 0);

  await page.getByText('Sauvegarde chiffrée').click();
  await page.getByLabel('Fichier de sauvegarde').setInputFiles(file);
  await page.getByLabel(/Phrase de passe de la sauvegarde/).fill('une autre phrase');
  await page.getByRole('button', { name: 'Importer une sauvegarde' }).click();
  await page.getByText(/Phrase de passe incorrecte/).waitFor();
  assert.equal((await deviceRows(page)).length, 0, 'a wrong passphrase changes nothing');
  await page.getByLabel(/Phrase de passe de la sauvegarde/).fill(passphrase);
  await page.getByRole('button', { name: 'Importer une sauvegarde' }).click();
  await page.getByText('3 contact(s) remis en attente; 0 déjà sur l\'appareil.').waitFor();
  await page.getByLabel(/Phrase de passe de la sauvegarde/).fill(passphrase);
  await page.getByRole('button', { name: 'Importer une sauvegarde' }).click();
  await page.getByText('0 contact(s) remis en attente; 3 déjà sur l\'appareil.').waitFor();

  await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
  await pendingIs(page, '3 en attente');
  await syncAll(page);
  await assertAgreement(page, { live: 3 });
});
