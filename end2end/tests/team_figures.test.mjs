// Closing a period: the coordinator's « Équipe » shows each worker's figures beside the
// team's, and says which phones may still hold records of the period. Three phones against
// one server: one syncs everything; one syncs, then logs contacts offline and does not sync
// again (until the end); one is never paired, so it never reaches the server. The phones'
// clocks sit in June 2026 (TEST_NOW) and the period checked is June 2026; a sync counts as
// after the period's end when the phone's clock says July (the server takes the earlier of
// its own time and the phone's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  SERVER_BIN, startServer, launchPhone, pairedPhone, setPin, unlock, screenshot, logContact,
  enterPairingCode, accessibilityViolations,
} from './harness.mjs';

let server;
const phones = [];

before(async () => {
  server = await startServer();
  for (const name of ['poste-a', 'poste-b', 'poste-c']) server.addWorker(name);
  server.addWorker('coordination', { coordinator: true });
});

after(async () => {
  for (const p of phones) await p.browser.close();
  await server?.stop();
});

async function phone() {
  const p = await launchPhone({ acceptDownloads: true });
  phones.push(p);
  return p;
}

/** Locks, moves the page's clock, unlocks (a jump of days would lock the app anyway). */
async function setClock(page, iso) {
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await page.clock.setSystemTime(new Date(iso));
  await unlock(page);
}

const JUNE = { from: '2026-06-01', to: '2026-06-30' };
const norm = (text) => text.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

/** Clicks a column's header (its sort button). */
const sortBy = (page, title) => page.locator('table.team thead button.sort', { hasText: new RegExp(`^${title}$`) }).click();

async function showTeam(page) {
  await page.locator('#from').fill(JUNE.from);
  await page.locator('#to').fill(JUNE.to);
  await page.getByRole('button', { name: /Afficher les chiffres|Show the figures/ }).click();
  await page.getByTestId('team-total').waitFor();
}

/** The table's rows as { worker: [interventions, persons, …] } and the total row. */
async function teamCells(page) {
  return page.getByTestId('team-table').evaluate((box) => {
    const cells = (tr) => [...tr.children].map((c) => c.textContent.replace(/[\u00a0\u202f,]/g, '').trim());
    const rows = {};
    for (const tr of box.querySelectorAll('tbody tr')) {
      const [name, ...values] = cells(tr);
      rows[name] = values.map(Number);
    }
    const [, ...total] = cells(box.querySelector('tfoot tr'));
    return { rows, total: total.map(Number), order: Object.keys(rows) };
  });
}

test('each worker beside the team, and the phones that may still hold June', async () => {
  // A: two contacts in June, synced in July (its clock).
  const a = await phone();
  await a.page.goto(server.url);
  await pairedPhone(a.page, server, 'poste-a');
  await logContact(a.page, 'Bar érotique');
  await logContact(a.page, 'Rue');
  await setClock(a.page, '2026-07-02T10:00:00-04:00');
  await a.page.getByRole('button', { name: 'Synchroniser' }).click();
  await a.page.getByText('2 contacts synchronisés.').waitFor();

  // B: one contact synced in June, then two more logged offline, not sent.
  const b = await phone();
  await b.page.goto(server.url);
  await pairedPhone(b.page, server, 'poste-b');
  await logContact(b.page, 'Salon de massage');
  await b.page.getByRole('button', { name: 'Synchroniser' }).click();
  await b.page.getByText('1 contact synchronisé.').waitFor();
  await b.context.setOffline(true);
  await logContact(b.page, 'Rue');
  await logContact(b.page, 'Bar érotique');

  // C: a PIN and a contact, never paired: the server cannot see it.
  const c = await phone();
  await c.page.goto(server.url);
  await setPin(c.page);
  await logContact(c.page, 'Rue');

  // The coordinator, in July, on a computer.
  const coordinator = await phone();
  const { page } = coordinator;
  await page.clock.setSystemTime(new Date('2026-07-03T09:00:00-04:00'));
  await page.goto(server.url);
  await setPin(page);
  await enterPairingCode(page, server.pairingCode('coordination'));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(new URL('coordination/', server.url).href);
  await unlock(page);
  await page.getByRole('navigation').getByRole('button', { name: 'Équipe', exact: true }).click();
  await showTeam(page);

  // Exactly what reached the server: A's two, B's first; C and the others nothing.
  let table = await teamCells(page);
  assert.deepEqual(table.order, ['coordination', 'poste-a', 'poste-b', 'poste-c', 'poste-e2e']);
  // Interventions and activities (persons: these contacts name no one, nor a first meeting).
  assert.deepEqual([table.rows['poste-a'][0], table.rows['poste-a'][3]], [2, 0]);
  assert.deepEqual([table.rows['poste-b'][0], table.rows['poste-b'][3]], [1, 0]);
  assert.deepEqual(table.rows['poste-c'], table.rows['poste-c'].map(() => 0));
  assert.equal(table.total[0], 3, 'interventions add up');
  assert.match(norm(await page.getByTestId('persons-note').textContent()), /compte une seule fois pour l'équipe/);

  // The banner and the list: B alone may still send June's records.
  const banner = page.getByTestId('completeness-banner');
  await banner.waitFor();
  assert.equal(
    norm(await banner.textContent()),
    '1 appareil n\'a rien envoyé depuis le 17 juin 2026 : les chiffres de juin 2026 peuvent être incomplets.',
  );
  const devices = page.getByTestId('completeness-device');
  assert.equal(await devices.count(), 1);
  assert.equal(await devices.first().getAttribute('data-worker'), 'poste-b');
  const facts = norm(await devices.first().innerText());
  assert.match(facts, /n'a rien envoyé depuis la fin de la période/);
  assert.match(facts, /17 juin 2026/);
  assert.match(facts, /0 contact\(s\)/);
  assert.match(facts, /à jour/);
  assert.match(norm(await page.getByTestId('completeness-unpaired').textContent()), /poste-c, poste-e2e$/);
  await banner.scrollIntoViewIfNeeded();
  await screenshot(page, 'team-figures-banner-1280');
  await page.getByTestId('team-table').scrollIntoViewIfNeeded();
  await screenshot(page, 'team-figures-1280');

  // Sorted by interventions, largest first; again, smallest first.
  await sortBy(page, 'Interventions');
  assert.deepEqual((await teamCells(page)).order.slice(0, 2), ['poste-a', 'poste-b']);
  assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
  await sortBy(page, 'Interventions');
  assert.equal((await teamCells(page)).order.at(-1), 'poste-a');

  // The CSV: the same figures, and the team's row.
  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger le tableau (CSV)' }).click(),
  ]);
  assert.equal(csvDownload.suggestedFilename(), 'carnet-equipe-2026-06-01-2026-06-30.csv');
  const csv = await readFile(await csvDownload.path(), 'utf8');
  assert.match(csv, /^row,worker,interventions,persons,new_persons,activities/);
  assert.match(csv, /\nworker,poste-a,2,0,0,0/);
  assert.match(csv, /\nteam,,3,/);

  // At a phone's width the table scrolls in its box; the page does not.
  await page.setViewportSize({ width: 360, height: 740 });
  await banner.scrollIntoViewIfNeeded();
  await screenshot(page, 'team-figures-banner-360');
  await page.getByTestId('team-table').scrollIntoViewIfNeeded();
  await screenshot(page, 'team-figures-360');
  await page.setViewportSize({ width: 1280, height: 900 });

  // A row opens that worker's own report, same period and programs.
  await page.getByRole('button', { name: 'Voir son rapport — poste-a' }).click();
  await page.getByTestId('report-worker').waitFor();
  assert.match(norm(await page.getByTestId('report-worker').textContent()), /poste-a/);
  await page.waitForFunction(() => document.querySelector('.team-report [data-testid="interventions"]')?.textContent === '2');
  assert.equal(await page.locator('#from').inputValue(), JUNE.from);
  await page.getByTestId('completeness-banner').waitFor();

  // B syncs in July: the banner goes, the table counts its two.
  await b.context.setOffline(false);
  await setClock(b.page, '2026-07-03T08:00:00-04:00');
  await b.page.getByRole('button', { name: 'Synchroniser' }).click();
  await b.page.getByText('2 contacts synchronisés.').waitFor();
  await page.getByRole('navigation').getByRole('button', { name: 'Équipe', exact: true }).click();
  await showTeam(page);
  await page.getByTestId('completeness-complete').waitFor();
  assert.equal(await page.getByTestId('completeness-banner').count(), 0);
  table = await teamCells(page);
  assert.equal(table.rows['poste-b'][0], 3);
  assert.equal(table.total[0], 5);
  await screenshot(page, 'team-figures-complete-1280');

  // Every coordinator screen: no WCAG A/AA violation, in both themes.
  for (const theme of ['dark', 'light']) {
    await page.evaluate((t) => localStorage.setItem('carnet.prefs', JSON.stringify({ lang: 'fr', theme: t })), theme);
    await page.reload();
    await unlock(page);
    for (const screen of ['Rapport de l\'équipe', 'Équipe', 'Rapport annuel', 'Listes', 'Importer', 'Comptes de l\'équipe']) {
      await page.getByRole('navigation').getByRole('button', { name: screen, exact: true }).click();
      if (screen === 'Rapport de l\'équipe') {
        await page.getByRole('button', { name: 'Afficher le rapport' }).click();
        await page.locator('.team-report [data-testid="interventions"]').waitFor();
      } else if (screen === 'Équipe') {
        await showTeam(page);
      } else if (screen === 'Rapport annuel') {
        await page.getByRole('button', { name: /Préparer/ }).click();
        await page.waitForTimeout(500);
      } else {
        await page.waitForTimeout(500);
      }
      assert.deepEqual(await accessibilityViolations(page), [], `${screen} (${theme})`);
    }
  }
  assert.deepEqual(coordinator.errors, []);
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('« Équipe » with fifty workers, in English and light, at 360 and 1280 px', async () => {
  for (let i = 1; i <= 45; i += 1) {
    execFileSync(SERVER_BIN, ['worker', 'add', `intervenant-${String(i).padStart(2, '0')}`, '--db', server.db], { stdio: 'ignore' });
  }
  const { page } = phones.at(-1);
  await page.evaluate(() => localStorage.setItem('carnet.prefs', JSON.stringify({ lang: 'en', theme: 'light' })));
  await page.reload();
  await unlock(page, undefined, { label: 'PIN', button: 'Unlock' });
  await page.getByRole('navigation').getByRole('button', { name: 'Team', exact: true }).click();
  await showTeam(page);
  const table = await teamCells(page);
  assert.equal(table.order.length, 50);
  assert.equal(table.total[0], 5);
  await page.getByTestId('team-total').scrollIntoViewIfNeeded();
  await screenshot(page, 'team-figures-50-en-light-1280');
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByTestId('team-table').scrollIntoViewIfNeeded();
  await screenshot(page, 'team-figures-50-en-light-360');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => localStorage.setItem('carnet.prefs', JSON.stringify({ lang: 'fr', theme: 'dark' })));
});
