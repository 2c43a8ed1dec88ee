// A lost or seized phone reveals nothing: sealed storage, lock, quick exit, wrong PINs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchPhone, screenshot, setPin, unlock, rawDeviceStorage, PIN, enterToken, logContact } from './harness.mjs';

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

const NOTE = 'Veut revenir au local jeudi';
const ALIAS = 'Mistral 1987';

test('locked, the device holds no record, label, note, alias or token in clear', async () => {
  const { page } = phone;
  await page.goto(server.url);
  await setPin(page);
  await enterToken(page, server.token);

  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'CatWoman (travail de milieu)' }).check();
  await page.getByRole('radio', { name: 'Bar érotique' }).check();
  await page.getByRole('radio', { name: '26-40', exact: true }).check();
  await page.getByRole('radio', { name: 'Femme', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Hébergement', exact: true }).check();
  await page.getByText('Plus de détails').click();
  await page.getByLabel('Alias convenu avec la personne').fill(ALIAS);
  await page.getByLabel('Note (facultative)').fill(NOTE);
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();
  // A shortcut from it: shortcuts name milieux, so they are sealed too.
  await page.getByRole('button', { name: /^Raccourci — \d\d:\d\d Bar érotique$/ }).click();
  await page.getByText('Raccourci créé.').waitFor();
  await page.getByRole('button', { name: '+ Activité' }).click();
  await page.getByRole('radio', { name: 'Atelier de prévention' }).check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();

  // Quick exit: one tap.
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await page.getByLabel('NIP', { exact: true }).waitFor();
  const screen = await page.locator('body').innerText();
  for (const visible of ['Bar érotique', 'Hébergement', 'en attente', 'Aujourd\'hui', NOTE]) {
    assert.ok(!screen.includes(visible), `the lock screen shows « ${visible} »`);
  }
  await screenshot(page, 'locked');

  const raw = await rawDeviceStorage(page);
  assert.ok(raw.includes('v1.'), 'sealed bodies are there');
  for (const secret of [
    'bar_erotique', 'Bar érotique', 'hebergement', 'catwoman', 'femme', '26_40', 'atelier',
    'logement', NOTE, 'Mistral', 'mistral1987', server.token,
  ]) {
    assert.ok(!raw.includes(secret), `device storage holds « ${secret} » in clear`);
  }
});

test('a wrong PIN opens nothing; the right one opens everything again', async () => {
  const { page } = phone;
  await page.getByLabel('NIP', { exact: true }).fill('000000');
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByText('NIP incorrect.').waitFor();
  assert.equal(await page.getByTestId('pending').count(), 0);

  await unlock(page);
  assert.equal(await page.getByTestId('contacts-today').textContent(), '1');
  await page.getByRole('button', { name: 'Bar érotique — Femme 26-40 — Hébergement', exact: true }).waitFor();
  assert.equal(await page.getByTestId('pending').textContent(), '2 en attente');
  // The token came back too: sync works.
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('2 contacts synchronisés.').waitFor();
});

test('Escape locks at once, and repeated wrong PINs slow down guessing', async () => {
  const { page } = phone;
  await page.keyboard.press('Escape');
  await page.getByLabel('NIP', { exact: true }).waitFor();
  assert.equal(await page.getByTestId('contacts-today').count(), 0);
  for (let i = 0; i < 2; i++) {
    await page.getByLabel('NIP', { exact: true }).fill(`99999${i}`);
    await page.getByRole('button', { name: 'Déverrouiller' }).click();
    await page.getByText('NIP incorrect.').waitFor();
  }
  await page.getByLabel('NIP', { exact: true }).fill('999993');
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByText(/Trop d'essais\. Attends \d+ s/).waitFor();
  // Even the right PIN waits its turn.
  await page.getByLabel('NIP', { exact: true }).fill(PIN);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByText(/Trop d'essais/).waitFor();
  assert.equal(await page.getByTestId('pending').count(), 0);
});

test('two workers on one phone: separate PINs, separate records', async () => {
  const { page } = phone;
  await page.reload();
  await page.getByRole('button', { name: 'Une autre personne utilise ce téléphone' }).click();
  await setPin(page, '135790');
  assert.equal(await page.getByTestId('contacts-today').textContent(), '0');
  assert.equal(await page.getByTestId('pending').textContent(), 'Tout est synchronisé');
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  // The lock-out of the previous test (5 s after three wrong PINs) runs out first.
  await page.waitForTimeout(6000);
  // The second worker's PIN opens the second profile only.
  await unlock(page, '135790');
  assert.equal(await page.getByTestId('contacts-today').textContent(), '0');
});

test('the PIN can be changed, after a reminder to sync first; the idle lock is a choice', async () => {
  const { page } = phone;
  await page.getByRole('button', { name: 'Réglages' }).click();
  await page.getByRole('radio', { name: '1 min' }).check();
  await page.getByText('Changer mon NIP').first().click();
  await page.getByText(/Synchronise d'abord/).waitFor();
  await page.getByLabel('NIP actuel').fill('000000');
  await page.getByLabel('Choisis un NIP').fill('112233');
  await page.getByLabel('Confirme le NIP').fill('112233');
  await page.getByRole('button', { name: 'Changer mon NIP' }).click();
  await page.getByText('NIP incorrect.').waitFor();
  await page.getByLabel('NIP actuel').fill('135790');
  await page.getByRole('button', { name: 'Changer mon NIP' }).click();
  await page.getByText('NIP changé.').waitFor();
  await screenshot(page, 'settings-dark');
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await unlock(page, '112233');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('carnet.prefs')).lock_after_minutes), 1);
  assert.deepEqual(phone.errors, []);
});

test('two workers choose the same PIN: each opens only their own profile, picked by its label', async () => {
  const shared = await launchPhone();
  const { page } = shared;
  try {
    await page.goto(server.url);
    await page.getByLabel('Nom du profil sur ce téléphone').fill('Bleu');
    await setPin(page, '246810');
    for (const milieu of ['Bar érotique', 'Rue']) await logContact(page, milieu);
    await page.getByRole('button', { name: 'Verrouiller' }).click();
    await page.getByRole('button', { name: 'Une autre personne utilise ce téléphone' }).click();
    await page.getByLabel('Nom du profil sur ce téléphone').fill('Vert');
    // Nothing tells the second worker that the PIN is taken.
    await setPin(page, '246810');
    assert.equal(await page.getByTestId('contacts-today').textContent(), '0');
    await page.getByRole('button', { name: 'Verrouiller' }).click();

    // The lock screen offers both profiles by their neutral labels, the last one first.
    assert.equal(await page.getByRole('radio', { name: 'Vert' }).isChecked(), true);
    await screenshot(page, 'lock-two-profiles');
    await unlock(page, '246810');
    assert.equal(await page.getByTestId('contacts-today').textContent(), '0');
    await page.getByRole('button', { name: 'Verrouiller' }).click();
    await page.getByRole('radio', { name: 'Bleu' }).check();
    await unlock(page, '246810');
    await page.waitForFunction(() => document.querySelector('[data-testid="contacts-today"]')?.textContent === '2');

    // Wrong PINs slow down guessing on the profile they were typed for; the lock-out is
    // kept with that profile, so removing a separate storage key does not reset it.
    await page.getByRole('button', { name: 'Verrouiller' }).click();
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('NIP', { exact: true }).fill('999999');
      await page.getByRole('button', { name: 'Déverrouiller' }).click();
      await page.getByRole('alert').waitFor();
    }
    await page.getByText(/Attends \d+ s/).waitFor();
    await page.evaluate(() => localStorage.removeItem('carnet.lock'));
    await page.getByLabel('NIP', { exact: true }).fill('246810');
    await page.getByRole('button', { name: 'Déverrouiller' }).click();
    await page.getByText(/Attends \d+ s/).waitFor();
    assert.deepEqual(shared.errors, []);
  } finally {
    await shared.browser.close();
  }
});
