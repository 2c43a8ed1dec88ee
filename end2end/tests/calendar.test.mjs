// The calendar's edges, in Québec's time zone (the harness's America/Toronto): a month
// whose name has an accent, New Year's Eve, the end of the fiscal year (31 March), the night
// the clocks spring forward, the hour that happens twice when they fall back, and a leap
// day. At each, contacts are saved with the phone's clock set to that instant; each shows
// on its local day, counts once in « Mes chiffres » for the shift, day, week, month and
// year, and lands on the same day and fiscal year in the server's report, CSV and xlsx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchPhone, pairedPhone, unlock, screenshot, logContact, unzip,
} from './harness.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/**
 * Each case: contacts saved at `saves` (local time with its offset), then « Mes chiffres »
 * read at `now`. `days`: the heading of each save's day on the phone, and its date.
 * `figures`: what each period counts at `now`. `fiscal`: contacts per fiscal year.
 */
const CASES = [
  {
    name: 'a month with an accent',
    saves: ['2026-11-30T09:00:00-05:00', '2026-12-03T10:00:00-05:00', '2026-12-03T14:00:00-05:00'],
    now: '2026-12-03T14:05:00-05:00',
    days: { '2026-11-30': 'lundi 30 novembre 2026', '2026-12-03': 'jeudi 3 décembre 2026' },
    figures: { shift: 2, today: 2, week: 3, month: 2, year: 3 },
    fiscal: { '2026-04-01': 3 },
  },
  {
    name: 'New Year\'s Eve at 23:30, then the new year',
    saves: ['2026-12-31T23:30:00-05:00', '2027-01-01T00:10:00-05:00'],
    now: '2027-01-01T00:15:00-05:00',
    days: { '2026-12-31': 'jeudi 31 décembre 2026', '2027-01-01': 'vendredi 1 janvier 2027' },
    // Thursday and Friday: one week, two months, two calendar years, one fiscal year.
    figures: { shift: 2, today: 1, week: 2, month: 1, year: 1 },
    fiscal: { '2026-04-01': 2 },
  },
  {
    name: '31 March at 23:30, then 1 April: the fiscal year turns',
    saves: ['2026-03-31T23:30:00-04:00', '2026-04-01T00:10:00-04:00'],
    now: '2026-04-01T00:15:00-04:00',
    days: { '2026-03-31': 'mardi 31 mars 2026', '2026-04-01': 'mercredi 1 avril 2026' },
    figures: { shift: 2, today: 1, week: 2, month: 1, year: 2 },
    fiscal: { '2025-04-01': 1, '2026-04-01': 1 },
  },
  {
    // 8 March 2026, 02:00 EST: the clocks jump to 03:00 EDT. Twelve real hours before
    // 08:00 EDT is 19:00 EST the day before: 18:30 is out of the shift, 19:30 in it.
    name: 'the clocks spring forward (8 March 2026, 02:00)',
    saves: [
      '2026-03-07T18:30:00-05:00',
      '2026-03-07T19:30:00-05:00',
      '2026-03-08T01:59:00-05:00',
      '2026-03-08T03:00:00-04:00',
    ],
    now: '2026-03-08T08:00:00-04:00',
    days: { '2026-03-07': 'samedi 7 mars 2026', '2026-03-08': 'dimanche 8 mars 2026' },
    figures: { shift: 3, today: 2, week: 4, month: 4, year: 4 },
    fiscal: { '2025-04-01': 4 },
  },
  {
    // 1 November 2026, 02:00 EDT: the clocks go back to 01:00 EST, so 01:30 happens twice.
    // Twelve real hours before 02:30 EST is 15:30 EDT the day before.
    name: 'the hour that happens twice (1 November 2026, 01:00-02:00)',
    saves: [
      '2026-10-31T14:00:00-04:00',
      '2026-10-31T15:45:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:30:00-05:00',
    ],
    now: '2026-11-01T02:30:00-05:00',
    days: { '2026-10-31': 'samedi 31 octobre 2026', '2026-11-01': 'dimanche 1 novembre 2026' },
    figures: { shift: 3, today: 2, week: 4, month: 2, year: 4 },
    fiscal: { '2026-04-01': 4 },
  },
  {
    name: 'a leap day (29 February 2028)',
    saves: [
      '2028-02-28T23:50:00-05:00',
      '2028-02-29T12:00:00-05:00',
      '2028-02-29T12:30:00-05:00',
      '2028-03-01T00:05:00-05:00',
    ],
    now: '2028-03-01T00:10:00-05:00',
    days: {
      '2028-02-28': 'lundi 28 février 2028',
      '2028-02-29': 'mardi 29 février 2028',
      '2028-03-01': 'mercredi 1 mars 2028',
    },
    // 12:00 on the 29th is twelve hours and ten minutes before: out of the shift; 12:30 in.
    figures: { shift: 2, today: 1, week: 4, month: 1, year: 4 },
    fiscal: { '2027-04-01': 4 },
  },
];

const PERIODS = { shift: 'Quart (12 h)', today: 'Aujourd\'hui', week: 'Semaine', month: 'Mois', year: 'Année' };
const localDay = (iso) => iso.slice(0, 10);
const localTime = (iso) => iso.slice(11, 16);
const MILIEUX = ['Bar érotique', 'Rue', 'Salon de massage', 'Agence d\'escortes'];

/** Sets the phone's clock. Locked first: a jump of hours would lock the app anyway. */
async function setClock(page, iso) {
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  await page.clock.setSystemTime(new Date(iso));
  await unlock(page);
}

/** The period's interventions in « Mes chiffres », once they show what is expected (or not, after 5 s). */
async function figure(page, period, want) {
  await page.getByRole('radio', { name: PERIODS[period], exact: true }).check();
  await page.waitForFunction(
    (w) => document.querySelector('[data-testid="interventions"]')?.textContent === w,
    String(want),
    { timeout: 5_000 },
  ).catch(() => {});
  return Number(await page.getByTestId('interventions').textContent());
}

/** The server's count of this worker's interventions in a period: JSON, CSV and xlsx. */
async function serverCounts(token, from, to) {
  const get = (format) => fetch(new URL(`api/v1/report?from=${from}&to=${to}${format}`, server.url), {
    headers: { Authorization: `Bearer ${token}` },
  });
  const json = (await (await get('')).json()).report.interventions;
  const csv = (await (await get('&format=csv')).text()).match(/\nsummary,interventions,(\d+)\n/)?.[1];
  const sheets = unzip(Buffer.from(await (await get('&format=xlsx')).arrayBuffer()));
  return [json, Number(csv), xlsxInterventions(sheets)];
}

/** The « Interventions » figure of the spreadsheet's cover sheet. */
function xlsxInterventions(sheets) {
  const strings = [...sheets['xl/sharedStrings.xml'].matchAll(/<si>(?:<t[^>]*>)([^<]*)<\/t><\/si>/g)].map((m) => m[1]);
  const index = strings.indexOf('Interventions');
  assert.ok(index >= 0, 'no « Interventions » label in the spreadsheet');
  const cover = sheets['xl/worksheets/sheet1.xml'];
  const row = [...cover.matchAll(/<row [^>]*>(.*?)<\/row>/g)]
    .map((m) => m[1])
    .find((r) => new RegExp(`<c r="A\\d+"[^>]*t="s"[^>]*><v>${index}</v></c>`).test(r));
  assert.ok(row, 'no « Interventions » row on the cover sheet');
  return Number(/<c r="B\d+"[^>]*><v>([^<]+)<\/v><\/c>/.exec(row)[1]);
}

const dayAfter = (day) => new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const dayBefore = (day) => new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const fiscalEnd = (start) => `${Number(start.slice(0, 4)) + 1}-03-31`;

for (const [n, c] of CASES.entries()) {
  test(`calendar: ${c.name}`, async () => {
    const worker = `poste-calendrier-${n}`;
    const token = server.addWorker(worker).split('\n')[0].trim();
    const phone = await launchPhone();
    try {
      const { page } = phone;
      await page.clock.setSystemTime(new Date(c.saves[0]));
      await page.goto(server.url);
      await pairedPhone(page, server, worker);
      for (const [i, at] of c.saves.entries()) {
        if (i > 0) await setClock(page, at);
        await logContact(page, MILIEUX[i % MILIEUX.length]);
        // Saved on its own local day: today's list, at its own local time.
        await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
        const sameDay = c.saves.slice(0, i + 1).filter((s) => localDay(s) === localDay(at)).length;
        assert.equal(await page.getByTestId('contacts-today').textContent(), String(sameDay), at);
        await page.locator('ul.contacts time', { hasText: localTime(at) }).first().waitFor();
      }

      await setClock(page, c.now);
      // Each day's heading and count, walking back from today.
      const perDay = Object.keys(c.days).sort().reverse();
      for (const [i, day] of perDay.entries()) {
        if (i > 0) await page.getByRole('button', { name: '‹ Jour précédent' }).click();
        const count = c.saves.filter((s) => localDay(s) === day).length;
        await page.waitForFunction(
          (want) => document.querySelector('[data-testid="contacts-today"]')?.textContent === want,
          String(count),
        );
        const heading = await page.locator('#today-title').textContent();
        assert.equal(heading, day === localDay(c.now) ? 'Aujourd\'hui' : c.days[day], day);
        if (i === perDay.length - 1 && day !== localDay(c.now)) await screenshot(page, `calendar-${n}-earlier-day`);
      }
      // Outside the app the day's name, as the page's own Intl says it, matches ours.
      for (const [day, title] of Object.entries(c.days)) {
        const intl = await page.evaluate((d) => new Intl.DateTimeFormat('fr-CA', {
          weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
        }).format(new Date(`${d}T12:00:00Z`)), day);
        assert.equal(intl.replace(/\s+/g, ' '), title, day);
      }

      // « Mes chiffres »: each period counts each contact once, by its instant or its day.
      await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
      await page.getByRole('button', { name: 'Chiffres' }).click();
      const seen = {};
      for (const period of Object.keys(PERIODS)) seen[period] = await figure(page, period, c.figures[period]);
      assert.deepEqual(seen, c.figures);
      await screenshot(page, `calendar-${n}-figures`);

      // The server: the same day and fiscal year, in its report, CSV and xlsx.
      await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
      await page.getByRole('button', { name: 'Synchroniser' }).click();
      await page.getByText(`${c.saves.length} contacts synchronisés.`).waitFor();
      for (const day of Object.keys(c.days)) {
        const count = c.saves.filter((s) => localDay(s) === day).length;
        assert.deepEqual(await serverCounts(token, day, day), [count, count, count], day);
      }
      const first = Object.keys(c.days).sort()[0];
      const last = Object.keys(c.days).sort().at(-1);
      assert.deepEqual(await serverCounts(token, dayBefore(first), dayBefore(first)), [0, 0, 0]);
      assert.deepEqual(await serverCounts(token, dayAfter(last), dayAfter(last)), [0, 0, 0]);
      for (const [start, count] of Object.entries(c.fiscal)) {
        assert.deepEqual(await serverCounts(token, start, fiscalEnd(start)), [count, count, count], `fiscal ${start}`);
      }
      assert.deepEqual(phone.errors, []);
    } finally {
      await phone.browser.close();
    }
  });
}
