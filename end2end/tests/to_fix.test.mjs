// Nothing stuck out of sight: refused records are counted apart and listed across all days
// with their reason in plain words, can be corrected or sent again; the day list goes back
// to earlier days, so a contact saved under a wrong phone date can be found.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchPhone, pairedPhone, unlock, deviceRows, screenshot, logContact, TEST_NOW,
} from './harness.mjs';
import { startProxy } from './faultproxy.mjs';

let server;
let proxy;
let phone;

before(async () => {
  server = await startServer();
  proxy = await startProxy(server.url);
});

after(async () => {
  await phone?.browser.close();
  await proxy?.stop();
  await server?.stop();
});

async function textIs(page, testid, text) {
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === want,
    [testid, text],
  );
}

test('refused on an earlier day: counted apart, listed with its reason, fixed and sent again', async () => {
  phone = await launchPhone();
  const { page } = phone;
  // The phone's date is three days behind.
  const now = TEST_NOW.getTime();
  await page.clock.setSystemTime(new Date(now - 3 * 86_400_000));
  await page.goto(proxy.url);
  await pairedPhone(page, server);
  await logContact(page, 'Bar érotique');
  await logContact(page, 'Rue');
  await logContact(page, 'Salon de massage');

  // The server refuses two of them (say its lists changed), and takes the third.
  proxy.inject('refuse', { indexes: [0, 1], errors: [{ field: 'milieu', reason: 'unknown_code' }] });
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText(/2 refusé\(s\) par le serveur/).waitFor();
  await textIs(page, 'to-fix', '2 à corriger');
  await textIs(page, 'pending', 'Tout est synchronisé');

  // Back to the right date (the phone locks itself on such a jump; unlock): today's list
  // is empty, the records are on an earlier day.
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await page.clock.setSystemTime(new Date(now));
  await unlock(page);
  await page.getByText('Aucun contact pour l\'instant.').waitFor().catch(() => {});
  assert.equal(await page.getByTestId('contacts-today').textContent(), '0');
  await page.getByRole('button', { name: '‹ Jour précédent' }).click();
  await textIs(page, 'contacts-today', '3');
  assert.match(await page.locator('#today-title').textContent(), /^\p{L}+ \d{1,2} \p{L}+ \d{4}$/u);
  await page.getByText('Refusé par le serveur').first().waitFor();
  await screenshot(page, 'earlier-day-refused');

  // « À corriger »: both, with the reason in plain words.
  await page.getByTestId('to-fix').click();
  const items = page.getByTestId('to-fix-item');
  await items.nth(1).waitFor();
  assert.equal(await items.count(), 2);
  assert.match(await items.first().innerText(), /Valeur inconnue pour le milieu\./);
  await screenshot(page, 'to-fix');

  // One is corrected (a new version), the other sent again as it was. Which two were
  // refused depends on their ids (the queue goes in id order): take the first listed.
  await items.first().getByRole('button', { name: 'Corriger' }).click();
  await page.getByRole('radio', { name: 'Agence d\'escortes', exact: true }).check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByText('Modification enregistrée.').waitFor();
  await page.getByTestId('to-fix').click();
  await page.getByTestId('to-fix-item').getByRole('button', { name: 'Renvoyer tel quel' }).click();
  await page.getByText('Rien à corriger.').waitFor();
  await textIs(page, 'pending', '2 en attente');

  await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('2 contacts synchronisés.').waitFor();
  const rows = await deviceRows(page);
  assert.deepEqual(rows.map((r) => r.state), ['synced', 'synced', 'synced']);
  const onServer = await server.records();
  assert.equal(onServer.length, 3);
  const versions = onServer.map((r) => r.version).sort();
  // The refused version never reached the server; the correction is the next version.
  assert.deepEqual(versions, [1, 1, 2]);
  const corrected = onServer.find((r) => r.version === 2);
  assert.deepEqual((await server.versions(corrected.id)).map((v) => v.milieu), ['agence_escortes']);
  assert.deepEqual(phone.errors, []);
});
