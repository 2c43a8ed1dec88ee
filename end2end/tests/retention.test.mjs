// Less on the phone: after a sync, synced records older than the retention window (45 days)
// are removed from the device, and « Mes chiffres » for a longer period comes from the
// server — cached sealed for offline viewing, with a clear note.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchPhone, pairedPhone, unlock, deviceRows, rawDeviceStorage, screenshot,
  logContact, TEST_NOW, localDay,
} from './harness.mjs';

let server;
let phone;

before(async () => {
  server = await startServer();
});

after(async () => {
  await phone?.browser.close();
  await server?.stop();
});

const day = localDay;

test('old synced records leave the phone; longer periods come from the server, offline too', async () => {
  phone = await launchPhone();
  const { page, context } = phone;
  const now = TEST_NOW.getTime();
  // Sixty days ago: two contacts, synced.
  await page.clock.setSystemTime(new Date(now - 60 * 86_400_000));
  await page.goto(server.url);
  await pairedPhone(page, server);
  await logContact(page, 'Bar érotique');
  await logContact(page, 'Rue');
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('2 contacts synchronisés.').waitFor();
  assert.equal((await deviceRows(page)).length, 2, 'within the window, nothing is removed');

  // Today: one more contact and a sync; the two old ones go from the phone.
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await page.clock.setSystemTime(new Date(now));
  await unlock(page);
  await logContact(page, 'Salon de massage');
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('1 contact synchronisé.').waitFor();
  const rows = await deviceRows(page);
  assert.equal(rows.length, 1, 'only the recent record stays on the phone');
  assert.equal((await server.records()).length, 3, 'the server keeps all three');

  // « Mes chiffres » over the last 90 days: the server's figures, with a note.
  await page.getByRole('button', { name: 'Chiffres' }).click();
  await page.getByRole('radio', { name: 'Dates' }).check();
  await page.getByLabel('Du', { exact: true }).fill(day(now - 90 * 86_400_000));
  await page.getByLabel('Au', { exact: true }).fill(day(now));
  await page.getByText(/Chiffres du serveur : le téléphone ne garde que les 45 derniers jours/).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="interventions"]')?.textContent === '3');
  await screenshot(page, 'figures-from-server');

  // Offline later: the same period shows the sealed copy, said to be from the server.
  await page.getByRole('radio', { name: 'Semaine' }).check();
  await context.setOffline(true);
  await page.getByRole('radio', { name: 'Dates' }).check();
  await page.getByLabel('Du', { exact: true }).fill(day(now - 90 * 86_400_000));
  await page.getByLabel('Au', { exact: true }).fill(day(now));
  await page.getByText(/Hors ligne : chiffres du serveur tels qu'au/).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="interventions"]')?.textContent === '3');
  // Another long period never fetched: said plainly.
  await page.getByLabel('Du', { exact: true }).fill(day(now - 120 * 86_400_000));
  await page.getByLabel('Au', { exact: true }).fill(day(now));
  await page.getByText(/Connecte-toi pour voir cette période/).waitFor();
  // The cached figures are sealed like everything else.
  const raw = await rawDeviceStorage(page);
  assert.ok(!raw.includes('"interventions"'), 'the cached report is sealed');
  await context.setOffline(false);
  assert.deepEqual(phone.errors, []);
});
