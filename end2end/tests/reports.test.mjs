// Figures: the worker's own, offline, before sync; the coordinator's team report and CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  startServer, launchPhone, screenshot, setPin, enterToken, enterPairingCode, PIN,
} from './harness.mjs';

let server;
let worker;
let coordinator;

before(async () => {
  server = await startServer();
  worker = await launchPhone();
  coordinator = await launchPhone({ acceptDownloads: true });
});

after(async () => {
  await worker?.browser.close();
  await coordinator?.browser.close();
  await server?.stop();
});

async function open(page) {
  await page.goto(server.url);
  await setPin(page);
}

async function logContact(page, { realities, alias, first }) {
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'CatWoman (travail de milieu)' }).check();
  await page.getByRole('radio', { name: 'Salon de massage' }).check();
  await page.getByRole('radio', { name: '26-40', exact: true }).check();
  await page.getByRole('radio', { name: 'Femme', exact: true }).check();
  for (const r of realities) await page.getByRole('checkbox', { name: r, exact: true }).check();
  await page.getByText('Plus de détails').click();
  if (first) await page.getByRole('checkbox', { name: 'Première rencontre' }).check();
  await page.getByLabel('Alias convenu avec la personne').fill(alias);
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();
}

const figure = (page, id) => page.getByTestId(id).first();

test('« Mes chiffres » counts persons once and interventions each time, offline', async () => {
  const { page, context } = worker;
  await open(page);
  await enterToken(page, server.token);
  await context.setOffline(true);
  await logContact(page, { realities: ['Santé', 'Hébergement'], alias: 'Lune 1999', first: true });
  await logContact(page, { realities: ['Santé'], alias: 'lune-1999', first: false });
  await logContact(page, { realities: ['Toxicomanie'], alias: 'Soleil 2000', first: true });

  await page.getByRole('button', { name: 'Chiffres' }).click();
  assert.equal(await figure(page, 'persons').textContent(), '2');
  assert.equal(await figure(page, 'interventions').textContent(), '3');
  assert.equal(await figure(page, 'new-persons').textContent(), '2');
  const charts = await page.locator('.report').first().innerText();
  assert.match(charts, /Par réalité[\s\S]*Santé\s*2/);
  await page.getByRole('radio', { name: 'Quart (12 h)' }).check();
  assert.equal(await figure(page, 'interventions').textContent(), '3');
  await page.getByRole('radio', { name: 'Année' }).check();
  assert.equal(await figure(page, 'persons').textContent(), '2');
  await screenshot(page, 'figures-worker-dark');
  // A worker token shows no team report.
  assert.equal(await page.getByRole('heading', { name: 'Rapport de l\'équipe' }).count(), 0);

  await context.setOffline(false);
  await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText('3 contacts synchronisés.').waitFor();
});

test('the coordinator sees the team report and downloads the CSV', async () => {
  const { page } = coordinator;
  await open(page);
  server.addWorker('coordination', { coordinator: true });
  await enterPairingCode(page, server.pairingCode('coordination'));
  // On the phone: « Mes chiffres », and a link to the coordinator's app.
  await page.getByRole('button', { name: 'Chiffres' }).click();
  const link = page.getByRole('link', { name: /Ouvrir la coordination/ });
  assert.equal(await link.getAttribute('href'), '/coordination/');
  assert.equal(await page.getByRole('heading', { name: 'Rapport de l\'équipe' }).count(), 0);
  // The coordinator's app: same profile, same PIN, on a computer's width.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(new URL('coordination/', server.url).href);
  await page.getByLabel('NIP', { exact: true }).fill(PIN);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByRole('heading', { name: 'Rapport de l\'équipe' }).waitFor();
  await page.getByRole('radio', { name: 'CatWoman (travail de milieu)' }).check();
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  const team = page.locator('.team-report');
  await page.waitForFunction(
    () => document.querySelector('.team-report [data-testid="interventions"]')?.textContent === '3',
  );
  assert.equal(await team.getByTestId('persons').textContent(), '2');
  assert.equal(await team.getByTestId('new-persons').textContent(), '2');
  await screenshot(page, 'team-report-dark');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger le CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^carnet-rapport-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  assert.match(csv, /^table,code,value\n/);
  assert.match(csv, /\nsummary,interventions,3\n/);
  assert.match(csv, /\nsummary,persons,2\n/);
  assert.match(csv, /\ninterventions_by_reality,sante,2\n/);

  // Team accounts: a new worker, paired by the link in the QR code.
  await page.getByRole('button', { name: 'Comptes de l\'équipe' }).click();
  await page.getByLabel('Nom du poste ou de l\'intervenante').first().fill('poste-nouveau');
  await page.getByRole('button', { name: 'Ajouter et jumeler' }).click();
  const code = (await page.getByTestId('pairing-code').textContent()).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.equal(await page.locator('.qr svg').count(), 1);
  await screenshot(page, 'team-accounts-dark');
  const newcomer = await launchPhone();
  try {
    await newcomer.page.goto(`${server.url}#pair=${code}`);
    await setPin(newcomer.page);
    // Straight to Réglages with the code filled in, and the code gone from the address.
    assert.equal(await newcomer.page.getByLabel('Code de jumelage').inputValue(), code);
    assert.ok(!newcomer.page.url().includes(code));
    await newcomer.page.getByRole('button', { name: 'Jumeler cet appareil' }).click();
    await newcomer.page.getByText('Appareil jumelé.').waitFor();
  } finally {
    await newcomer.browser.close();
  }

  // Printing gives the report without the app's chrome.
  await page.getByRole('button', { name: 'Rapport de l\'équipe' }).click();
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  // The report arrives from the server: wait for it before looking at it on paper.
  await team.getByTestId('persons').waitFor();
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await team.getByTestId('persons').isVisible(), true);
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(coordinator.errors, []);
});
