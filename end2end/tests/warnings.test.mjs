// The banner about records waiting too long for sync: it appears once the oldest pending
// record is older than the worker's setting, stays through other changes, and goes once
// the queue is sent. The page's clock jumps a day ahead (Playwright's clock), the rest is
// real: IndexedDB, the server, the sync.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchPhone, pairedPhone, unlock, logContact, screenshot } from './harness.mjs';

let server;
let phone;

before(async () => {
  server = await startServer();
  phone = await launchPhone();
});

after(async () => {
  await phone?.browser.close();
  await server?.stop();
});

const banner = (page) => page.getByTestId('stale-warning');

test('a record left unsynced past the setting raises the banner; syncing clears it', async () => {
  const { page, errors } = phone;
  await page.goto(server.url);
  await pairedPhone(page, server);

  await logContact(page, 'Bar érotique');
  await logContact(page, 'Rue');
  assert.equal(await page.getByTestId('pending').textContent(), '2 en attente');
  assert.equal(await banner(page).count(), 0, 'no banner for records of a minute ago');

  // A day later (the default setting is 24 h), as when the phone comes out of a pocket:
  // the app was locked, it is unlocked again.
  await page.clock.setSystemTime(await page.evaluate(() => Date.now()) + 25 * 3_600_000);
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await unlock(page);
  await banner(page).waitFor();
  assert.match(await banner(page).textContent(), /depuis plus de 24 h/);
  await screenshot(page, 'stale-warning');

  // Another record logged now: the oldest one still waits, the banner stays.
  await logContact(page, 'Bar érotique');
  assert.equal(await banner(page).count(), 1);

  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('Tout est synchronisé').waitFor();
  await banner(page).waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});
