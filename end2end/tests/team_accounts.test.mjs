// « Comptes de l'équipe »: a coordinator adds a worker, whose phone pairs with a name;
// sees it in the list, revokes that one device, makes the worker a coordinator only after
// typing the name again, revokes the account, and reads the account log. At 360 px and
// on a desktop, both themes, both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchPhone, screenshot, setPin, enterPairingCode, SCREENSHOTS, PIN,
} from './harness.mjs';
import { join } from 'node:path';

let server;
let coordinator;

before(async () => {
  server = await startServer();
  coordinator = await launchPhone();
});

after(async () => {
  await coordinator?.browser.close();
  await server?.stop();
});

/** The coordinator's app (/coordination/), same profile and PIN, « Comptes de l'équipe ». */
async function openTeamAccounts(page) {
  await page.goto(new URL('coordination/', server.url).href);
  await page.getByLabel('NIP', { exact: true }).fill(PIN);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByRole('button', { name: 'Comptes de l\'équipe' }).click();
  await page.getByRole('heading', { name: 'Comptes de l\'équipe' }).waitFor();
}

const card = (page, name) => page.locator(`.account[data-worker="${name}"]`);

test('a coordinator manages the team\'s accounts and devices', async () => {
  const { page, errors } = coordinator;
  await page.goto(server.url);
  await setPin(page);
  server.addWorker('coordination', { coordinator: true });
  await enterPairingCode(page, server.pairingCode('coordination'));
  await openTeamAccounts(page);
  await card(page, 'coordination').waitFor();
  assert.match(await card(page, 'coordination').innerText(), /Coordination[\s\S]*Téléphone[\s\S]*Actif/);

  // Add a worker; its phone pairs with the code and a name of its own.
  await page.getByLabel('Nom du poste ou de l\'intervenante').first().fill('poste-rue');
  await page.getByRole('button', { name: 'Ajouter et jumeler' }).click();
  const code = (await page.getByTestId('pairing-code').textContent()).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  const phone = await launchPhone();
  try {
    await phone.page.goto(`${server.url}#pair=${code}`);
    await setPin(phone.page);
    await phone.page.getByLabel('Nom de cet appareil (facultatif)').fill('Téléphone bleu');
    await phone.page.getByRole('button', { name: 'Jumeler cet appareil' }).click();
    await phone.page.getByText('Appareil jumelé.').waitFor();
  } finally {
    await phone.browser.close();
  }
  await page.getByRole('button', { name: 'Actualiser' }).click();
  const rue = card(page, 'poste-rue');
  await rue.getByText('Téléphone bleu').waitFor();
  assert.match(await rue.innerText(), /Intervenante[\s\S]*Téléphone bleu[\s\S]*Actif[\s\S]*Utilisé le \d{4}-\d\d-\d\d/);
  await screenshot(page, 'team-accounts-list-dark');

  // The lost phone is revoked on a second tap.
  await rue.getByRole('button', { name: 'Révoquer cet appareil' }).click();
  await rue.getByRole('button', { name: 'Révoquer « Téléphone bleu »' }).click();
  await page.getByRole('status').getByText('Appareil révoqué : son jeton est refusé.').waitFor();
  await rue.locator('.badge-danger', { hasText: 'Révoqué' }).waitFor();

  // A new code for the replacement phone.
  await rue.getByRole('button', { name: 'Code pour un nouveau téléphone' }).click();
  await page.waitForFunction(() => /poste-rue/.test(document.querySelector('.pairing')?.textContent ?? ''));
  assert.equal(await page.locator('.qr svg').count(), 1);
  await page.getByRole('button', { name: 'Masquer le code' }).click();

  // A coordinator only once the name is typed again.
  await rue.getByRole('button', { name: 'Passer à la coordination…' }).click();
  const confirm = rue.getByRole('button', { name: 'Confirmer : coordination' });
  await rue.getByLabel('Retape le nom pour confirmer « poste-rue »').fill('poste-ru');
  assert.equal(await confirm.isDisabled(), true);
  await rue.getByLabel('Retape le nom pour confirmer « poste-rue »').fill('poste-rue');
  await screenshot(page, 'team-accounts-confirm-dark');
  await confirm.click();
  await page.getByRole('status').getByText('Rôle changé.').waitFor();
  await rue.locator('.badge-accent', { hasText: 'Coordination' }).waitFor();

  // The last coordinator cannot step down… but there are two now; revoke the account.
  await rue.getByRole('button', { name: 'Révoquer le compte…' }).click();
  await rue.getByLabel('Retape le nom pour confirmer « poste-rue »').fill('poste-rue');
  await rue.getByRole('button', { name: 'Révoquer le compte', exact: true }).click();
  await page.getByRole('status').getByText('Compte révoqué : ses appareils ne fonctionnent plus.').waitFor();
  await rue.getByText('Compte révoqué').waitFor();
  assert.equal(await rue.getByRole('button', { name: 'Code pour un nouveau téléphone' }).count(), 0);

  // The log says who did what; nothing secret in it.
  const log = page.getByTestId('audit');
  await log.getByText('compte révoqué · poste-rue').waitFor();
  const text = await log.innerText();
  for (const line of [
    'coordination · rôle changé · poste-rue (Coordination)',
    'coordination · appareil révoqué · poste-rue (Téléphone bleu)',
    'poste-rue · appareil jumelé · poste-rue (Téléphone bleu)',
    'coordination · compte ajouté · poste-rue (Intervenante)',
    'ligne de commande · compte ajouté · coordination (Coordination)',
  ]) {
    assert.ok(text.includes(line), `no « ${line} » in the log:\n${text}`);
  }
  assert.ok(!text.includes(code) && !text.includes(code.replace('-', '')));
  await screenshot(page, 'team-accounts-log-dark');

  // Light theme and English (chosen on the phone app: the same device's preferences).
  await page.goto(server.url);
  await page.getByLabel('NIP', { exact: true }).fill(PIN);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByRole('button', { name: 'Réglages' }).click();
  await page.getByRole('radio', { name: 'English' }).check();
  await page.getByRole('radio', { name: 'Light' }).check();
  await page.goto(new URL('coordination/', server.url).href);
  await page.getByLabel('PIN', { exact: true }).fill(PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('button', { name: 'Team accounts' }).click();
  await page.getByRole('heading', { name: 'Team accounts' }).waitFor();
  await page.getByRole('heading', { name: 'The team and its devices' }).waitFor();
  await card(page, 'poste-rue').getByText('Account revoked').waitFor();
  await screenshot(page, 'team-accounts-en-light');

  // On a desktop: two columns of cards, nothing wider than the window.
  await page.setViewportSize({ width: 1280, height: 900 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 1280, `${wide} px wide`);
  await page.screenshot({ path: join(SCREENSHOTS, 'team-accounts-desktop-light.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
