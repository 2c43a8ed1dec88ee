// The full record model from the phone: shortcuts in ≤ 3 taps, every field of the form,
// the PII guard, corrections and deletions before and after sync, English, both themes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer, launchPhone, pairedPhone, screenshot, deviceRecordIds, unlock } from './harness.mjs';

let server;
let phone;

before(async () => {
  server = await startServer();
  phone = await launchPhone();
  const { page } = phone;
  await page.goto(server.url);
  await pairedPhone(page, server);
});

after(async () => {
  await phone?.browser.close();
  await server?.stop();
});

const pending = (page) => page.getByTestId('pending');
const contactsToday = (page) => page.getByTestId('contacts-today');
const saveButton = (page) => page.getByRole('button', { name: 'Enregistrer', exact: true });

async function expectText(locator, text) {
  await locator.page().waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent === want,
    [`[data-testid="${await locator.getAttribute('data-testid')}"]`, text],
  );
}

async function sync(page, expected) {
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText(expected).waitFor();
}

test('a shortcut logs a contact in three taps or fewer', async () => {
  const { page } = phone;
  // A first contact, logged in full.
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'CatWoman (travail de milieu)' }).check();
  await page.getByRole('radio', { name: 'Bar érotique' }).check();
  await page.getByRole('radio', { name: '26-40', exact: true }).check();
  await page.getByRole('radio', { name: 'Femme', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Santé', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Information et prévention' }).check();
  await page.getByRole('button', { name: 'Ajouter un : Condoms' }).click();
  await page.getByRole('button', { name: 'Ajouter un : Condoms' }).click();
  await saveButton(page).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();

  // Made into a shortcut.
  await page.getByRole('button', { name: /^Raccourci — \d\d:\d\d Bar érotique$/ }).click();
  const shortcut = page.getByRole('button', {
    name: 'Bar érotique — Femme 26-40 — Information et prévention — Condoms 2',
    exact: true,
  });
  await shortcut.waitFor();
  await screenshot(page, 'today-with-shortcut-dark');

  // From the home screen: tap the shortcut, tap save.
  let taps = 0;
  const tap = async (locator) => {
    taps += 1;
    await locator.click();
  };
  await tap(shortcut);
  await tap(saveButton(page));
  await page.getByText('Enregistré sur l\'appareil.').waitFor();
  assert.ok(taps <= 3, `${taps} taps`);
  await expectText(contactsToday(page), '2');
  await expectText(pending(page), '2 en attente');
  // The shortcut's record is the same situation, a new record.
  const ids = await deviceRecordIds(page);
  assert.equal(new Set(ids).size, 2);
});

test('every field of the form, the person code and the note guard', async () => {
  const { page } = phone;
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'Projet web adultes' }).check();
  await page.getByRole('radio', { name: 'Web', exact: true }).check();
  await page.getByRole('radio', { name: '18-25', exact: true }).check();
  await page.getByRole('radio', { name: 'Personne trans', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Psychosocial' }).check();
  await page.getByRole('checkbox', { name: 'Sexualité' }).check();
  await page.getByRole('checkbox', { name: 'Cheminement et échanges' }).check();
  await page.getByRole('checkbox', { name: 'Références personnalisées' }).check();
  await page.getByLabel('Trousses de naloxone', { exact: true }).fill('2');
  await page.getByText('Plus de détails').click();
  await page.getByRole('radio', { name: 'Messagerie / réseau social' }).check();
  await page.getByRole('radio', { name: 'Messenger', exact: true }).check();
  await page.getByRole('radio', { name: 'Reçu', exact: true }).check();
  await page.getByRole('radio', { name: 'Active dans l\'industrie du sexe' }).check();
  await page.getByRole('radio', { name: 'Étudiant·e' }).check();
  await page.getByRole('checkbox', { name: 'Première rencontre' }).check();
  await page.getByLabel('Alias convenu avec la personne').fill('Étoile 2024');
  await page.getByRole('checkbox', { name: 'Infirmière' }).check();

  // The note guard refuses contact details, in French, and saves nothing.
  const before = (await deviceRecordIds(page)).length;
  await page.getByLabel('Note (facultative)').fill('Rappeler au 418 555-0199');
  await saveButton(page).click();
  await page.getByRole('alert').getByText(/semble contenir un numéro de téléphone/).waitFor();
  assert.equal((await deviceRecordIds(page)).length, before);
  await screenshot(page, 'form-note-refused');

  await page.getByLabel('Note (facultative)').fill('A parlé de son logement.');
  await saveButton(page).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();
  await expectText(pending(page), '3 en attente');

  await sync(page, '3 contacts synchronisés.');
  const records = await server.records();
  assert.equal(records.length, 3);
  let full;
  for (const r of records) {
    const [v] = await server.versions(r.id);
    if (v.program === 'web_adultes') full = v;
  }
  assert.ok(full, 'the web contact reached the server');
  // The alias never leaves the phone: only the organisation-keyed HMAC of « etoile2024 ».
  const me = await (await fetch(new URL('api/v1/me', server.url), {
    headers: { Authorization: `Bearer ${server.token}` },
  })).json();
  const expectedCode = createHmac('sha256', Buffer.from(me.person_code_key, 'hex'))
    .update('etoile2024')
    .digest('hex');
  assert.deepEqual(
    { ...full, id: undefined, occurred_at: undefined },
    {
      id: undefined,
      occurred_at: undefined,
      type: 'contact',
      version: 1,
      taxonomy_version: 2, // the default taxonomy is version 2 since the reports merge
      program: 'web_adultes',
      milieu: 'web',
      mode: 'messagerie',
      platform: 'messenger',
      direction: 'received',
      age_group: '18_25',
      gender: 'trans',
      status: 'active',
      occupation: 'etudiant',
      first_contact: true,
      person_code: expectedCode,
      realities: ['psychosocial', 'sexualite'],
      intervention_types: ['cheminement', 'references'],
      material: { naloxone: 2 },
      referrals: ['infirmiere'],
      note: 'A parlé de son logement.',
    },
  );
  assert.ok(!JSON.stringify(full).toLowerCase().includes('etoile'));
});

test('corrections and deletions, before and after sync', async () => {
  const { page } = phone;
  // Two new contacts, not synced yet.
  for (const milieu of ['Rue', 'Salon de massage']) {
    await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
    await page.getByRole('radio', { name: milieu, exact: true }).check();
    await page.getByRole('radio', { name: '41 et +', exact: true }).check();
    await page.getByRole('radio', { name: 'Homme', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Justice', exact: true }).check();
    await saveButton(page).click();
    await page.getByText('Enregistré sur l\'appareil.').waitFor();
  }
  await expectText(pending(page), '2 en attente');

  // Before sync: a correction replaces, a deletion forgets.
  await page.getByRole('button', { name: /^Modifier — \d\d:\d\d Rue$/ }).click();
  await page.getByRole('radio', { name: 'Endroit privé / autonome' }).check();
  await saveButton(page).click();
  await page.getByText('Modification enregistrée.').waitFor();
  await page.getByRole('button', { name: /^Modifier — \d\d:\d\d Salon de massage$/ }).click();
  await page.getByRole('button', { name: 'Supprimer' }).click();
  await page.getByText('Supprimé.').waitFor();
  await expectText(pending(page), '1 en attente');
  assert.equal((await deviceRecordIds(page)).length, 4);
  await sync(page, '1 contact synchronisé.');
  const milieux = [];
  for (const r of await server.records()) milieux.push((await server.versions(r.id)).map((v) => v.milieu));
  assert.ok(milieux.some((m) => m.length === 1 && m[0] === 'endroit_prive'));
  assert.ok(!milieux.flat().includes('salon_massage'), 'the deleted draft never reached the server');

  // After sync: a correction is version 2, the first version stays on the server.
  await page.getByRole('button', { name: /^Modifier — \d\d:\d\d Endroit privé \/ autonome$/ }).click();
  await page.getByRole('radio', { name: 'Café / restaurant' }).check();
  await saveButton(page).click();
  await page.getByText('Modification enregistrée.').waitFor();
  await expectText(pending(page), '1 en attente');
  await sync(page, '1 contact synchronisé.');
  const corrected = (await server.records()).find((r) => r.version === 2);
  assert.ok(corrected, 'a second version reached the server');
  const trail = await server.versions(corrected.id);
  assert.deepEqual(trail.map((v) => [v.version, v.milieu]), [[1, 'endroit_prive'], [2, 'cafe_restaurant']]);

  // After sync: a deletion is a tombstone version.
  await page.getByRole('button', { name: /^Modifier — \d\d:\d\d Café \/ restaurant$/ }).click();
  await page.getByRole('button', { name: 'Supprimer' }).click();
  await page.getByText('Supprimé.').waitFor();
  await expectText(contactsToday(page), '3');
  await sync(page, '1 contact synchronisé.');
  const gone = (await server.records()).find((r) => r.id === corrected.id);
  assert.deepEqual(gone, { id: corrected.id, version: 3, deleted: true });
  assert.equal((await server.versions(corrected.id)).length, 3);
});

test('activities: a workshop with its head count, a venue visit', async () => {
  const { page } = phone;
  await page.getByRole('button', { name: '+ Activité' }).click();
  await page.getByRole('radio', { name: 'Milieu de vie', exact: true }).check();
  await page.getByRole('radio', { name: 'Atelier de prévention' }).check();
  await page.getByLabel('Nombre de participant·e·s').fill('12');
  await page.getByRole('button', { name: 'Ajouter un : Condoms' }).click();
  await saveButton(page).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();

  await page.getByRole('button', { name: '+ Activité' }).click();
  await page.getByRole('radio', { name: 'CatWoman (travail de milieu)' }).check();
  await page.getByRole('radio', { name: 'Visite d\'un milieu' }).check();
  await page.getByRole('radio', { name: 'Salon de massage' }).check();
  await saveButton(page).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();

  const activities = await page.getByTestId('activities').innerText();
  assert.match(activities, /Atelier de prévention\s+1/);
  assert.match(activities, /Visite d'un milieu\s+1/);
  // Activities are not contacts.
  await expectText(contactsToday(page), '3');
  await expectText(pending(page), '2 en attente');
  await screenshot(page, 'today-activities');
  await sync(page, '2 contacts synchronisés.');
  const kinds = [];
  for (const r of await server.records()) {
    const [v] = await server.versions(r.id);
    if (v.type === 'activity') kinds.push([v.activity, v.head_count ?? null, v.milieu ?? null]);
  }
  kinds.sort();
  assert.deepEqual(kinds, [['atelier', 12, null], ['visite_milieu', null, 'salon_massage']]);
});

test('English, and both themes at 360 px', async () => {
  const { page } = phone;
  await screenshot(page, 'today-dark');
  await page.getByRole('button', { name: 'Réglages' }).click();
  await page.getByRole('radio', { name: 'English' }).check();
  await page.getByRole('button', { name: 'Today' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-CA');
  await page.getByRole('radio', { name: 'Light' }).check();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await screenshot(page, 'settings-en-light');

  await page.getByRole('button', { name: 'New', exact: true }).click();
  await page.getByRole('radio', { name: 'Erotic bar' }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('alert').getByText('Choose the age group.').waitFor();
  await screenshot(page, 'form-en-light');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expectText(pending(page), 'All synced');
  await screenshot(page, 'today-en-light');

  // Preferences survive a reload (the lock screen is in English too).
  await page.reload();
  await unlock(page, undefined, { label: 'PIN', button: 'Unlock' });
  await page.getByRole('button', { name: 'Today' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');

  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'Français' }).check();
  await page.getByRole('radio', { name: 'Sombre' }).check();
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await screenshot(page, 'form-dark');
  assert.deepEqual(phone.errors, []);
});
