// The coordinator's app on a computer, over a synthetic 2019-2020 year (`carnet-server
// gen`): importing a past spreadsheet (dry run, then all or nothing, twice), the team
// report for a group or any set of programs with its cross-tables and two periods side by
// side, CSV and xlsx downloads, the lists kept from the app, the printable annual report;
// and, on a phone, a harm-reduction visit logged from a shortcut in three taps or fewer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SERVER_BIN, SCREENSHOTS, startServer, launchPhone, pairedPhone, screenshot, setPin, unlock, enterPairingCode, unzip,
} from './harness.mjs';

let server;
let coordinator;
let apiToken;
let genDir;

/** `carnet-server gen`, then its taxonomy and every worker's year through the CLI. */
function seedSyntheticYear(db) {
  genDir = mkdtempSync(join(tmpdir(), 'carnet-gen-'));
  const run = (args) => execFileSync(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  run(['gen', '--out', genDir]);
  run(['taxonomy', 'load', join(genDir, 'taxonomy.json'), '--db', db]);
  for (const file of readdirSync(genDir).filter((f) => f.endsWith('.ndjson'))) {
    const worker = file.replace(/\.ndjson$/, '');
    run(['worker', 'add', worker, '--db', db]);
    run(['import', join(genDir, file), '--worker', worker, '--db', db]);
  }
}

/** How many generated records name this venue (what « Supprimer » must say). */
function recordsNaming(venue) {
  let n = 0;
  for (const file of readdirSync(genDir).filter((f) => f.endsWith('.ndjson'))) {
    for (const line of readFileSync(join(genDir, file), 'utf8').split('\n')) {
      if (line.includes(`"venue":"${venue}"`)) n += 1;
    }
  }
  return n;
}

/** The files of a zip (an xlsx), by name, read from its central directory. */
async function api(path, init = {}) {
  const r = await fetch(new URL(path, server.url), {
    ...init,
    headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  return { status: r.status, body: await r.json() };
}

before(async () => {
  server = await startServer();
  seedSyntheticYear(server.db);
  apiToken = server.addWorker('coordination-api', { coordinator: true }).split('\n')[0].trim();
  coordinator = await launchPhone({ acceptDownloads: true });
  const { page } = coordinator;
  await page.goto(server.url);
  await setPin(page);
  server.addWorker('coordination', { coordinator: true });
  await enterPairingCode(page, server.pairingCode('coordination'));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(new URL('coordination/', server.url).href);
  await unlock(page);
});

after(async () => {
  await coordinator?.browser.close();
  await server?.stop();
  if (genDir) rmSync(genDir, { recursive: true, force: true });
});

/** Text as read, French no-break spaces (before « : », inside « ») as plain spaces. */
const norm = (text) => text.replace(/\u00a0/g, ' ');

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name, exact: true }).click();

/** The cells of an HTML table as text, row by row (headers included). */
async function tableCells(locator) {
  return locator.evaluate((table) =>
    [...table.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim())),
  );
}

/** The cells of one table row as text. */
async function rowCells(locator) {
  return locator.evaluate((tr) => [...tr.children].map((c) => c.textContent.trim()));
}

/** The table whose caption is `caption`, inside `scope`. */
function tableCaptioned(scope, caption) {
  return scope.locator('table').filter({ has: scope.page().locator('caption', { hasText: new RegExp(`^${caption}$`) }) });
}

const SIDEP_2018 = [
  'Date;Programme;Milieu;Mode;Âge;Genre;Première rencontre;Réalités;Types d\'intervention',
  '2018-06-12;SIDEP (infirmière);Rue;En personne;18-25;Femme;oui;Santé;Dépistage ITSS',
  '2018-09-03;sidep;Casino;en personne;26-40;Femme;oui;Santé|Sexualité;depistage',
  '12/13/2018;sidep;rue;En personne;26-40;Homme;oui;sante;depistage',
];
const SIDEP_2018_FIXED = [
  SIDEP_2018[0],
  SIDEP_2018[1],
  '2018-09-03;sidep;Salon de massage;en personne;26-40;Femme;oui;Santé|Sexualité;depistage',
  '13/12/2018;sidep;rue;En personne;26-40;Homme;oui;sante;depistage',
];
const csvFile = (lines) => ({ name: 'sidep-2018.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });

test('a past spreadsheet: every problem by line, then all or nothing, and twice changes nothing', async () => {
  const { page } = coordinator;
  await nav(page, 'Importer');
  await page.getByLabel('Fichier CSV').setInputFiles(csvFile(SIDEP_2018));
  await page.getByLabel('Poste ou intervenante').fill('sidep-infirmiere');
  await page.getByRole('button', { name: 'Vérifier (essai à blanc)' }).click();
  const summary = page.getByTestId('import-summary');
  await summary.getByText('2 problèmes : rien n\'est importé tant que le fichier n\'est pas corrigé').waitFor();
  const problems = await tableCells(page.getByTestId('import-problems'));
  assert.deepEqual(problems.slice(1).map((r) => r.slice(0, 2)), [['3', 'Milieu'], ['4', 'Date']]);
  // In the coordinator's language, from the typed problem the server sends.
  assert.equal(norm(problems[1][2]), '« Casino » n\'est ni un code ni un libellé de cette liste.');
  assert.equal(norm(problems[2][2]), '« 12/13/2018 » : une date attendue, AAAA-MM-JJ ou JJ/MM/AAAA.');
  assert.equal(await page.getByRole('button', { name: 'Importer le fichier' }).isDisabled(), true);
  await screenshot(page, 'import-problems-1280');

  // Fixed: the dry run says what would come in, and only then « Importer ».
  await page.getByLabel('Fichier CSV').setInputFiles(csvFile(SIDEP_2018_FIXED));
  await page.getByRole('button', { name: 'Vérifier (essai à blanc)' }).click();
  await summary.getByText('Essai à blanc réussi : rien n\'a encore été importé').waitFor();
  assert.match(norm(await summary.innerText()), /3 lignes pour « sidep-infirmiere » : 3 rencontres, 0 activité\./);
  assert.match(norm(await summary.innerText()), /SIDEP \(infirmière\) : 3/);
  assert.equal(norm(await page.getByTestId('import-new').textContent()), '3 nouvelles lignes à importer ; 0 déjà importée.');
  const before2018 = await api('api/v1/report?from=2018-04-01&to=2019-03-31&program=sidep');
  assert.equal(before2018.body.report.interventions, 0, 'a dry run imports nothing');
  await page.getByRole('button', { name: 'Importer le fichier' }).click();
  await summary.getByText('Importation faite').waitFor();
  assert.match(norm(await page.getByTestId('import-new').textContent()), /^3 nouvelles lignes importées ; 0 déjà là/);
  const after2018 = await api('api/v1/report?from=2018-04-01&to=2019-03-31&program=sidep');
  assert.equal(after2018.body.report.interventions, 3);

  // The same file again: nothing new.
  await page.getByRole('button', { name: 'Vérifier (essai à blanc)' }).click();
  await page.getByTestId('import-new').getByText('0 nouvelle ligne à importer ; 3 déjà importées.').waitFor();
  await page.getByRole('button', { name: 'Importer le fichier' }).click();
  await summary.getByText('Rien n\'a changé : ces lignes étaient déjà importées').waitFor();
  assert.equal((await api('api/v1/report?from=2018-04-01&to=2019-03-31&program=sidep')).body.report.interventions, 3);
  await screenshot(page, 'import-again-1280');

  // An unknown worker is named plainly.
  await page.getByLabel('Poste ou intervenante').fill('personne-inconnue');
  await page.getByRole('button', { name: 'Vérifier (essai à blanc)' }).click();
  await page.getByRole('alert').getByText('Ce poste n\'existe pas').waitFor();
});

test('the team report: a group, any set of programs, cross-tables, two periods, CSV and xlsx', async () => {
  const { page } = coordinator;
  await nav(page, 'Rapport de l\'équipe');
  await page.locator('#from').fill('2019-04-01');
  await page.locator('#to').fill('2020-03-31');
  // The other period follows, a year earlier.
  assert.equal(await page.locator('#compare-from').inputValue(), '2018-04-01');
  assert.equal(await page.locator('#compare-to').inputValue(), '2019-03-31');

  // A group: « Travail de proximité » counts CatWoman and street work together.
  await page.getByRole('radio', { name: 'Travail de proximité' }).check();
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  const team = page.locator('.team-report');
  await page.waitForFunction(() => document.querySelector('.team-report [data-testid="persons"]')?.textContent === '547');
  // Grouped the way Québec French writes numbers: a no-break space between thousands.
  assert.equal(await team.getByTestId('interventions').textContent(), '2\u00a0689');
  assert.match(norm(await page.getByTestId('report-scope').innerText()), /CatWoman \(travail de milieu\), Travail de rue jeunesse/);
  const occupation = await tableCaptioned(page.getByTestId('cross-tables'), 'Personnes par genre et occupation');
  assert.equal(await occupation.count(), 1);
  // Row and column headers are real headers.
  assert.ok((await occupation.locator('th[scope="col"]').count()) >= 3);
  assert.ok((await occupation.locator('th[scope="row"]').count()) >= 3);

  // Any set: SIDEP alone, ticked.
  await page.getByRole('radio', { name: 'Plusieurs volets…' }).check();
  await page.getByRole('checkbox', { name: 'SIDEP (infirmière)' }).check();
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  await page.waitForFunction(() => document.querySelector('.team-report [data-testid="interventions"]')?.textContent === '371');
  assert.equal(norm(await team.getByTestId('persons').textContent()), '312');
  const cross = await tableCells(tableCaptioned(page.getByTestId('cross-tables'), 'Personnes par genre et tranche d\'âge'));
  assert.deepEqual(cross, [
    ['', '18-25', '26-40', '41 et +', 'Total'],
    ['Femme', '183', '107', '15', '305'],
    ['Homme', '0', '3', '4', '7'],
    ['Total', '183', '110', '19', '312'],
  ]);
  const visits = await tableCaptioned(page.getByTestId('cross-tables'), 'Interventions par genre et tranche d\'âge').count();
  assert.equal(visits, 1);

  // This year and last, side by side: the three screenings imported for 2018.
  const comparison = page.getByTestId('comparison');
  assert.match(norm(await comparison.getByRole('heading').first().innerText()), /2019-04-01 – 2020-03-31 \/ 2018-04-01 – 2019-03-31/);
  const summary = await tableCells(tableCaptioned(comparison, 'Sommaire'));
  assert.deepEqual(summary.slice(1, 3), [['Interventions', '371', '3', '+368'], ['Personnes rencontrées', '312', '3', '+309']]);
  const byCell = await tableCells(tableCaptioned(comparison, 'Personnes par genre et tranche d\'âge'));
  assert.deepEqual(byCell.find((r) => r[0] === 'Femme / 18-25'), ['Femme / 18-25', '183', '1', '+182']);
  await screenshot(page, 'team-report-1280');
  await page.screenshot({ path: join(SCREENSHOTS, 'team-report-1280-full.png'), fullPage: true });

  // Downloads: the period's CSV and spreadsheet, and the comparison's.
  const download = async (name) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: true }).click()]);
    return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
  };
  const csv = await download('Télécharger le CSV');
  assert.equal(csv.name, 'carnet-rapport-2019-04-01-2020-03-31.csv');
  const text = csv.bytes.toString('utf8');
  assert.match(text, /^table,code,value\n/);
  assert.match(text, /\nsummary,interventions,371\n/);
  assert.match(text, /\npersons_by_gender_and_age_group,femme\/18_25,183\n/);
  const compared = (await download('Comparaison en CSV')).bytes.toString('utf8');
  assert.match(compared, /^table,code,value,compare_value,difference\n/);
  assert.match(compared, /\nsummary,interventions,371,3,368\n/);
  for (const [button, file] of [
    ['Télécharger le classeur (xlsx)', 'carnet-rapport-2019-04-01-2020-03-31.xlsx'],
    ['Comparaison en classeur (xlsx)', 'carnet-comparaison-2019-04-01-2020-03-31-2018-04-01-2019-03-31.xlsx'],
  ]) {
    const xlsx = await download(button);
    assert.equal(xlsx.name, file);
    // The server's spreadsheet, whole: the same sheets, cell for cell (only the time it
    // was made differs), with French labels.
    const sheets = unzip(xlsx.bytes);
    const query = `from=2019-04-01&to=2020-03-31&program=sidep&format=xlsx${file.includes('comparaison') ? '&compare_from=2018-04-01&compare_to=2019-03-31' : ''}`;
    const direct = await fetch(new URL(`api/v1/report?${query}`, server.url), { headers: { Authorization: `Bearer ${apiToken}` } });
    const served = unzip(Buffer.from(await direct.arrayBuffer()));
    assert.deepEqual(Object.keys(sheets).sort(), Object.keys(served).sort());
    for (const name of Object.keys(served).filter((n) => n.startsWith('xl/'))) assert.equal(sheets[name], served[name], name);
    assert.match(sheets['xl/workbook.xml'], /name="Rapport"/);
    assert.match(sheets['xl/sharedStrings.xml'], /SIDEP \(infirmière\)/);
    assert.match(sheets['xl/sharedStrings.xml'], /Femme/);
  }

  // On a phone's width the tables scroll inside their box; the page does not.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByTestId('cross-tables').scrollIntoViewIfNeeded();
  await screenshot(page, 'team-report-360');
  await comparison.scrollIntoViewIfNeeded();
  await screenshot(page, 'team-report-comparison-360');
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(coordinator.errors, []);
});

test('the lists: add, rename, retire, restore; a code in use is kept; someone else\'s change first', async () => {
  const { page } = coordinator;
  await nav(page, 'Listes');
  const message = page.getByTestId('list-message');
  const table = page.getByTestId('list-table');
  await table.getByRole('rowheader', { name: 'Lieu salon_02' }).waitFor();
  const version = async () => Number((norm(await page.getByTestId('taxonomy-version').textContent())).match(/\d+/)[0]);
  const v0 = await version();

  await page.locator('#add-fr').fill('Salon Lieu 20');
  await page.getByLabel('Milieu').selectOption({ label: 'Salon de massage' });
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await message.getByText(`Enregistré : la version ${v0 + 1} des listes est en vigueur.`).waitFor();
  const added = table.locator('tr', { has: page.getByRole('rowheader', { name: 'Salon Lieu 20' }) });
  assert.deepEqual((await rowCells(added)).slice(0, 4), ['Salon Lieu 20', 'Salon Lieu 20', 'Salon de massage', 'Offert']);
  assert.equal(await page.locator('#add-fr').inputValue(), '', 'the form is ready for the next one');

  await page.getByRole('button', { name: 'Modifier — Salon Lieu 20' }).click();
  await page.locator('#edit-fr').fill('Salon Lieu 21');
  await page.locator('#edit-en').fill('Parlour Place 21');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await message.getByText(`Enregistré : la version ${v0 + 2}`).waitFor();
  await page.getByRole('button', { name: 'Retirer — Salon Lieu 21' }).click();
  await message.getByText(`version ${v0 + 3}`).waitFor();
  const renamed = table.locator('tr', { has: page.getByRole('rowheader', { name: 'Salon Lieu 21' }) });
  assert.deepEqual((await rowCells(renamed)).slice(0, 4), ['Salon Lieu 21', 'Parlour Place 21', 'Salon de massage', 'Retiré']);
  await page.getByRole('button', { name: 'Rétablir — Salon Lieu 21' }).click();
  await message.getByText(`version ${v0 + 4}`).waitFor();
  // In force on the server at once (phones get it at their next sync).
  const served = await (await fetch(new URL('api/v1/taxonomy', server.url))).json();
  const venue = served.venues.find((v) => v.fr === 'Salon Lieu 21');
  assert.deepEqual(venue, { code: 'salon_lieu_20', fr: 'Salon Lieu 21', en: 'Parlour Place 21', milieu: 'salon_massage' });
  assert.equal(served.version, v0 + 4);

  // A name the list has already: refused, the form keeps what was typed.
  await page.locator('#add-fr').fill('Salon Lieu 21');
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await message.getByText('« Salon Lieu 21 » : Ce nom est déjà dans la liste.').waitFor();
  assert.equal(await page.locator('#add-fr').inputValue(), 'Salon Lieu 21');
  await page.locator('#add-fr').fill('');

  // A code in use is never deleted: the refusal says why, and what to do instead.
  const uses = recordsNaming('salon_02');
  assert.ok(uses > 1);
  await page.getByRole('button', { name: 'Supprimer — Lieu salon_02' }).click();
  await message.getByText(`« Lieu salon_02 » sert dans ${uses} enregistrements. Un code n'est jamais supprimé`).waitFor();
  assert.match(norm(await message.textContent()), /Retire-le plutôt/);
  assert.equal((await (await fetch(new URL('api/v1/taxonomy', server.url))).json()).version, v0 + 4, 'nothing changed');
  await screenshot(page, 'lists-refused-1280');

  // Someone else changes the lists first: refused, reloaded, then it goes through.
  const other = await api('api/v1/taxonomy/lists/venues', {
    method: 'POST',
    body: JSON.stringify({ base_version: v0 + 4, edits: [{ op: 'add', fr: 'Bar Lieu 30', milieu: 'bar_erotique' }] }),
  });
  assert.equal(other.status, 200);
  await page.getByRole('button', { name: 'Retirer — Salon Lieu 21' }).click();
  await message.getByText('Quelqu\'un d\'autre a modifié les listes entre-temps').waitFor();
  await table.getByRole('rowheader', { name: 'Bar Lieu 30' }).waitFor();
  await page.getByRole('button', { name: 'Retirer — Salon Lieu 21' }).click();
  await message.getByText(`version ${v0 + 6}`).waitFor();

  // Web sites by platform, and a program group the reports then offer.
  await page.getByRole('button', { name: 'Sites web', exact: true }).click();
  await page.locator('#add-fr').fill('Site d\'annonces 9');
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await page.getByRole('alert').getByText('Choisis la plateforme du site.').waitFor();
  await page.getByLabel('Plateforme').selectOption({ label: 'Site de petites annonces' });
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await message.getByText(`version ${v0 + 7}`).waitFor();
  await page.getByRole('button', { name: 'Regroupements de volets', exact: true }).click();
  await page.locator('#add-fr').fill('Santé');
  await page.getByRole('checkbox', { name: 'SIDEP (infirmière)' }).check();
  await page.getByRole('checkbox', { name: 'Service de réduction des méfaits' }).check();
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await message.getByText(`version ${v0 + 8}`).waitFor();
  const groups = (await (await fetch(new URL('api/v1/taxonomy', server.url))).json()).program_groups;
  assert.deepEqual(groups.find((g) => g.code === 'sante'), { code: 'sante', fr: 'Santé', en: 'Santé', programs: ['sidep', 'reduction_mefaits'] });
  await screenshot(page, 'lists-groups-1280');
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByRole('button', { name: 'Lieux', exact: true }).click();
  await screenshot(page, 'lists-360');
  await table.getByRole('rowheader', { name: 'Lieu salon_02' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'lists-table-360');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The new group is a choice of the team report.
  await nav(page, 'Rapport de l\'équipe');
  await page.getByRole('radio', { name: 'Santé', exact: true }).check();
  await page.locator('#from').fill('2019-04-01');
  await page.locator('#to').fill('2020-03-31');
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  await page.waitForFunction(() => document.querySelector('.team-report [data-testid="interventions"]')?.textContent === String(371 + 430));
  assert.deepEqual(coordinator.errors, []);
});

test('the annual report: a section per program or group, printable on A4 and Letter', async () => {
  const { page } = coordinator;
  await nav(page, 'Rapport annuel');
  await page.locator('#annual-year').selectOption('2019');
  assert.equal(norm(await page.locator('#annual-year option:checked').textContent()), '2019-2020');
  await page.getByRole('button', { name: 'Préparer le rapport' }).click();
  // Every section asked for has come (the print button shows once they all have).
  await page.getByRole('button', { name: 'Imprimer' }).waitFor({ timeout: 60_000 });
  assert.equal(norm(await page.getByRole('heading', { level: 1 }).textContent()), 'Rapport annuel 2019-2020');

  const section = (code) => page.getByTestId(`section-${code}`);
  const headline = async (code) =>
    Object.fromEntries(
      await section(code).locator('.headline .stat').evaluateAll((stats) =>
        stats.map((s) => [s.querySelector('.stat-label').textContent, Number(s.querySelector('.stat-value').textContent.replace(/\u00a0/g, ''))]),
      ),
    );
  // Sections: each group, then its programs, then the others; empty ones only named.
  const order = await page.locator('.annual-section').evaluateAll((s) => s.map((x) => x.dataset.testid));
  assert.deepEqual(order, [
    'section-proximite', 'section-catwoman', 'section-rue_jeunesse',
    'section-projet_web', 'section-web_adultes',
    'section-sante', 'section-sidep', 'section-reduction_mefaits',
  ]);
  assert.match(norm(await page.getByTestId('annual-empty').textContent()), /Projet web jeunesse, Milieu de vie/);

  assert.deepEqual(await headline('proximite'), { 'Personnes rencontrées': 547, Interventions: 2689, 'Milieux visités': 16 });
  const occupation = norm(await section('proximite').locator('figure', { hasText: 'Personnes par occupation' }).innerText());
  assert.match(occupation, /Commerce illicite\s+321/);
  assert.deepEqual(await headline('catwoman'), { 'Personnes rencontrées': 390, Interventions: 1005, 'Milieux visités': 16 });
  const kinds = norm(await section('catwoman').locator('figure', { hasText: 'Milieux visités, par type' }).innerText());
  assert.match(kinds, /Bar érotique\s+4[\s\S]*Salon de massage\s+11[\s\S]*Agence d'escortes\s+1/);
  const sidep = await tableCells(tableCaptioned(section('sidep'), 'Personnes par genre et tranche d\'âge'));
  assert.deepEqual(sidep[1], ['Femme', '183', '107', '15', '305']);
  assert.deepEqual(await headline('web_adultes'), {
    'Personnes rencontrées': (await api('api/v1/report?from=2019-04-01&to=2020-03-31&program=web_adultes')).body.report.persons,
    Interventions: (await api('api/v1/report?from=2019-04-01&to=2020-03-31&program=web_adultes')).body.report.interventions,
    'Sites distincts — Annonce publiée': 5,
    'Sites distincts — Site surveillé': 15,
  });
  const rdm = section('reduction_mefaits');
  assert.deepEqual(await headline('reduction_mefaits'), { 'Personnes rencontrées': (await api('api/v1/report?from=2019-04-01&to=2020-03-31&program=reduction_mefaits')).body.report.persons, Interventions: 430 });
  assert.match(norm(await rdm.locator('figure', { hasText: 'Interventions par genre' }).innerText()), /Femme\s+250[\s\S]*Homme\s+180/);
  assert.match(norm(await rdm.locator('figure', { hasText: 'Matériel remis' }).innerText()), /Seringues distribuées\s+22 683[\s\S]*Seringues récupérées\s+11 712[\s\S]*Pipes à crack\s+365/);
  // The year before, side by side with the headline numbers (SIDEP's three imported rows).
  assert.match(norm(await section('sidep').locator('.headline').innerText()), /2018-2019 : 3 \(\+368\)/);
  await screenshot(page, 'annual-1280');
  await page.screenshot({ path: join(SCREENSHOTS, 'annual-1280-full.png'), fullPage: true });

  // On paper: no controls, a section per page, A4 and Letter alike.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Préparer le rapport' }).isVisible(), false);
  assert.equal(await section('catwoman').evaluate((s) => getComputedStyle(s).breakBefore), 'page');
  assert.equal(await section('proximite').evaluate((s) => getComputedStyle(s).breakBefore), 'auto');
  await screenshot(page, 'annual-print-1280');
  await page.screenshot({ path: join(SCREENSHOTS, 'annual-print-1280-full.png'), fullPage: true });
  for (const format of ['A4', 'Letter']) {
    const pdf = await page.pdf({ format, printBackground: false });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    assert.ok(pages >= 8, `${format}: ${pages} pages for 8 sections`);
    writeFileSync(join(SCREENSHOTS, `annual-${format}.pdf`), pdf);
  }
  await page.setViewportSize({ width: 360, height: 740 });
  await screenshot(page, 'annual-print-360');
  await page.emulateMedia({ media: 'screen' });
  await section('sidep').scrollIntoViewIfNeeded();
  await screenshot(page, 'annual-360');
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(coordinator.errors, []);
});

test('harm reduction on the phone: a visit from a shortcut in three taps or fewer', async () => {
  const phone = await launchPhone();
  try {
    const { page } = phone;
    server.addWorker('rdm-b');
    await page.goto(server.url);
    await pairedPhone(page, server, 'rdm-b');
    const save = page.getByRole('button', { name: 'Enregistrer', exact: true });

    // The first visit of the evening, in full.
    await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
    await page.getByRole('radio', { name: 'Service de réduction des méfaits' }).check();
    await page.getByRole('radio', { name: 'Locaux de l\'organisme' }).check();
    await page.getByRole('radio', { name: '26-40', exact: true }).check();
    await page.getByRole('radio', { name: 'Homme', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Toxicomanie' }).check();
    await page.getByRole('checkbox', { name: 'Remise de matériel de consommation' }).check();
    await page.getByLabel('Seringues distribuées', { exact: true }).fill('10');
    await page.getByLabel('Seringues récupérées', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Ajouter un : Pipes à crack' }).click();
    await save.click();
    await page.getByText('Enregistré sur l\'appareil.').waitFor();

    // Kept as a shortcut on the home screen.
    await page.getByRole('button', { name: /^Raccourci — \d\d:\d\d Locaux de l'organisme$/ }).click();
    const shortcut = page.getByRole('button', {
      name: 'Locaux de l\'organisme — Homme 26-40 — Remise de matériel de consommation — Pipes à crack 1 — Seringues récupérées 5 — Seringues distribuées 10',
      exact: true,
    });
    await shortcut.waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'harm-reduction-shortcut');

    // The next visit: shortcut, one more pipe, save.
    let taps = 0;
    const tap = async (locator) => {
      taps += 1;
      await locator.click();
    };
    await tap(shortcut);
    await tap(page.getByRole('button', { name: 'Ajouter un : Pipes à crack' }));
    await tap(save);
    await page.getByText('Enregistré sur l\'appareil.').waitFor();
    assert.ok(taps <= 3, `${taps} taps`);

    // A coordinator adds a venue meanwhile: the phone gets it at its next sync.
    const added = await api('api/v1/taxonomy/lists/venues', {
      method: 'POST',
      body: JSON.stringify({ edits: [{ op: 'add', fr: 'Lieu ajouté 40', milieu: 'locaux' }] }),
    });
    assert.equal(added.status, 200);
    await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
    await page.getByText('Plus de détails').click();
    assert.equal(await page.getByRole('radio', { name: 'Lieu ajouté 40' }).count(), 0, 'not before the sync');
    await page.getByRole('button', { name: 'Annuler' }).click();
    await page.getByRole('button', { name: 'Synchroniser' }).click();
    await page.getByText('2 contacts synchronisés.').waitFor();
    await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
    await page.getByText('Plus de détails').click();
    await page.getByRole('radio', { name: 'Lieu ajouté 40' }).waitFor();
    await page.getByRole('button', { name: 'Annuler' }).click();
    const token = server.addWorker('rdm-b-check', { coordinator: true }).split('\n')[0].trim();
    const r = await fetch(new URL('api/v1/report?from=2000-01-01&to=2100-01-01&program=reduction_mefaits&worker=rdm-b', server.url), {
      headers: { Authorization: `Bearer ${token}` },
    });
    const { report } = await r.json();
    assert.equal(report.interventions, 2);
    assert.deepEqual(report.material, { pipes_crack: 3, seringues_recuperees: 10, seringues_remises: 20 });
    assert.deepEqual(report.interventions_by_gender, { homme: 2 });
    assert.deepEqual(phone.errors, []);
  } finally {
    await phone.browser.close();
  }
});
