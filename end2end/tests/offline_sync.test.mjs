// The walking skeleton, end to end: offline logging on a phone, reload offline from the
// service worker, sync to a real server, idempotent re-sync.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchPhone, screenshot, deviceRecordIds, forgetAcknowledgements, setPin, unlock,
  enterToken,
} from './harness.mjs';

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

/** Fills the form the way a worker does, by the controls' French labels. */
async function logContact(page, { milieu, age, gender, realities, condoms }) {
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'CatWoman (travail de milieu)' }).check();
  await page.getByRole('radio', { name: milieu }).check();
  await page.getByRole('radio', { name: age, exact: true }).check();
  await page.getByRole('radio', { name: gender, exact: true }).check();
  for (const r of realities) await page.getByRole('checkbox', { name: r, exact: true }).check();
  for (let i = 0; i < condoms; i++) {
    await page.getByRole('button', { name: 'Ajouter un : Condoms' }).click();
  }
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();
}

const pending = (page) => page.getByTestId('pending');
const contactsToday = (page) => page.getByTestId('contacts-today');

test('log three contacts offline, reload offline, sync once, re-sync changes nothing', async () => {
  const { page, context, errors } = phone;

  // Online once: the service worker installs and takes control of the page.
  await page.goto(server.url);
  await setPin(page);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20_000 });
  await assert.doesNotReject(pending(page).waitFor());
  // The Content-Security-Policy is in force: an injected inline script does not run.
  const injectedRan = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 50));
    return window.__injected === true;
  });
  assert.equal(injectedRan, false);
  assert.equal(await pending(page).textContent(), 'Tout est synchronisé');

  // The coordinator gave this worker a token.
  await enterToken(page, server.token);
  await page.getByRole('button', { name: 'Aujourd\'hui' }).click();

  // In the bar, no signal.
  await context.setOffline(true);
  await logContact(page, { milieu: 'Bar érotique', age: '26-40', gender: 'Femme', realities: ['Santé', 'Hébergement'], condoms: 3 });
  await logContact(page, { milieu: 'Bar érotique', age: '18-25', gender: 'Femme', realities: ['Santé'], condoms: 0 });
  await logContact(page, { milieu: 'Salon de massage', age: '41 et +', gender: 'Personne trans', realities: ['Toxicomanie'], condoms: 2 });
  assert.equal(await contactsToday(page).textContent(), '3');
  assert.equal(await pending(page).textContent(), '3 en attente');
  await screenshot(page, 'today-offline-3-pending');

  // Validation: an empty form is refused with French messages and saves nothing.
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'Bar érotique' }).check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  const alert = page.getByRole('alert');
  await alert.getByText('Choisis la tranche d\'âge.').waitFor();
  await alert.getByText('Choisis au moins une réalité abordée.').waitFor();
  await screenshot(page, 'form-validation');
  await page.getByRole('button', { name: 'Annuler' }).click();
  assert.equal((await deviceRecordIds(page)).length, 3);

  // Still offline: reload. The app comes from the service worker, the records from IndexedDB.
  await page.reload();
  await unlock(page);
  await contactsToday(page).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="contacts-today"]')?.textContent === '3');
  assert.equal(await pending(page).textContent(), '3 en attente');
  const perReality = await page.getByTestId('per-reality').innerText();
  assert.match(perReality, /Santé\s+2/);
  assert.match(perReality, /Hébergement\s+1/);
  assert.match(perReality, /Toxicomanie\s+1/);

  // Sync while offline fails cleanly and keeps everything queued.
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText(/Pas de connexion au serveur/).waitFor();
  assert.equal(await pending(page).textContent(), '3 en attente');
  assert.deepEqual(await server.recordIds(), []);

  // End of shift, back online: the run that stopped offline resumes by itself.
  await context.setOffline(false);
  await page.getByText('3 contacts synchronisés.').waitFor();
  assert.equal(await pending(page).textContent(), 'Tout est synchronisé');
  const onDevice = (await deviceRecordIds(page)).sort();
  const onServer = (await server.recordIds()).sort();
  assert.equal(onServer.length, 3);
  assert.deepEqual(onServer, onDevice);
  await screenshot(page, 'today-synced');

  // Sync again: nothing to send, still three.
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('Rien à synchroniser.').waitFor();
  assert.equal((await server.recordIds()).length, 3);

  // The acknowledgements got lost (say the phone died mid-sync): the resend is
  // acknowledged as already held and the server still has exactly three.
  assert.equal(await forgetAcknowledgements(page), 3);
  await page.reload();
  await unlock(page);
  await page.waitForFunction(() => document.querySelector('[data-testid="pending"]')?.textContent === '3 en attente');
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('3 contacts synchronisés.').waitFor();
  assert.deepEqual((await server.recordIds()).sort(), onDevice);

  assert.deepEqual(errors, []);
});
