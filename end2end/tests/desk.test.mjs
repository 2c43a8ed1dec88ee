// The web worker's desk: Carnet on a computer (1280×900, 1920×1080), the form beside the
// day's records, every field from the keyboard, the keystrokes of 20 web exchanges
// counted, Escape's quick exit keeping the form being filled (sealed), offline at desktop
// size, and the phone's layout back when the window narrows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchPhone, desk, setPin, unlock, enterToken, rawDeviceStorage, screenshot,
  accessibilityViolations,
} from './harness.mjs';

let server;
let computer;

before(async () => {
  server = await startServer();
  computer = await launchPhone({ device: desk() });
  const { page } = computer;
  await page.goto(server.url);
  await setPin(page);
  await enterToken(page, server.token);
  await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
});

after(async () => {
  await computer?.browser.close();
  await server?.stop();
});

const contactsToday = (page) => page.getByTestId('contacts-today');

/** Opens (or closes) the form's « Plus de détails », whatever it was. */
const moreDetails = (page, open) => page.locator('form.record details.more').evaluate((d, o) => { d.open = o; }, open);

/** The name (or id) of the field that has the focus. */
const focused = (page) => page.evaluate(() => document.activeElement?.name || document.activeElement?.id || '');

/** Waits until the day counts `n` contacts (the list beside the form says it). */
async function contactsAre(page, n) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="contacts-today"]')?.textContent === String(want),
    n,
  );
}

/**
 * The keyboard, counted: every key pressed, a modifier included (Ctrl+Enter counts two).
 * It moves the way a worker who knows the form would: Tab (or Shift+Tab) to a group, the
 * fewest arrow presses to the choice (radio groups wrap around), Space where the browser
 * needs it. Reading where the focus is (`evaluate`) is looking at the screen, not a key.
 */
function typist(page) {
  let count = 0;
  const k = {
    get count() {
      return count;
    },
    async press(key, times = 1) {
      for (let i = 0; i < times; i += 1) {
        await page.keyboard.press(key);
        count += key.split('+').length;
      }
    },
    async type(text) {
      for (const ch of text) await k.press(ch);
    },
    /** Tab (or Shift+Tab) until the focus is on the group or field `name`. */
    async tabTo(name) {
      const order = await page.evaluate(() => [
        ...new Set([...document.querySelectorAll('form.record [name], form.record #alias')].map((e) => e.name || e.id)),
      ]);
      const back = order.indexOf(name) < order.indexOf(await focused(page));
      for (let i = 0; i < 80; i += 1) {
        if ((await focused(page)) === name) return;
        await k.press(back ? 'Shift+Tab' : 'Tab');
      }
      throw new Error(`Tab never reached ${name}`);
    },
    /** Chooses `label` in the radio group `name`, if it is not chosen yet. */
    async radio(name, label) {
      if (await page.getByRole('radio', { name: label, exact: true }).isChecked()) return;
      await k.tabTo(name);
      const [at, target, n, checked] = await page.evaluate(
        ([group, want]) => {
          const all = [...document.querySelectorAll(`form.record input[name="${group}"]`)];
          const labels = all.map((i) => i.closest('label').textContent.trim());
          return [all.indexOf(document.activeElement), labels.indexOf(want), all.length, document.activeElement.checked];
        },
        [name, label],
      );
      assert.ok(target >= 0, `no « ${label} » in ${name}`);
      if (target === at) {
        if (!checked) await k.press('Space');
        return;
      }
      const forward = (target - at + n) % n;
      if (forward <= n - forward) await k.press('ArrowRight', forward);
      else await k.press('ArrowLeft', n - forward);
    },
    /** Checks `label` in the checkbox group `name` (one Tab stop, the arrows inside). */
    async check(name, label) {
      if (await page.getByRole('checkbox', { name: label, exact: true }).isChecked()) return;
      await k.tabTo(name);
      const [at, target, n] = await page.evaluate(
        ([group, want]) => {
          const all = [...document.querySelectorAll(`form.record input[name="${group}"]`)];
          const labels = all.map((i) => i.closest('label').textContent.trim());
          return [all.indexOf(document.activeElement), labels.indexOf(want), all.length];
        },
        [name, label],
      );
      assert.ok(target >= 0, `no « ${label} » in ${name}`);
      const forward = (target - at + n) % n;
      if (forward <= n - forward) await k.press('ArrowRight', forward);
      else await k.press('ArrowLeft', n - forward);
      await k.press('Space');
    },
  };
  return k;
}

test('the desk: navigation in the header, the form beside the day\'s records, réalités and types in sight', async () => {
  const { page } = computer;
  await page.locator('header nav').getByRole('button', { name: 'Nouveau', exact: true }).waitFor();
  assert.equal(await page.locator('nav.bottom').count(), 0);
  const side = page.locator('aside.desk-side');
  await side.getByRole('button', { name: 'Synchroniser' }).waitFor();
  const form = await page.locator('form.record').boundingBox();
  const list = await side.boundingBox();
  assert.ok(form.x + form.width <= list.x, 'the form and the day\'s records stand side by side');
  // The window does not scroll: the form's pane does, above its bar of actions.
  const panel = await page.locator('form.record .fields').boundingBox();
  const actions = await page.locator('form.record .form-actions').boundingBox();
  assert.ok(actions.y + actions.height <= 900 && panel.y + panel.height <= actions.y);
  assert.equal(await page.evaluate(() => document.documentElement.scrollHeight), 900);
  for (const legend of ['Réalités abordées', 'Types d\'intervention', 'Plateforme web', 'Message']) {
    const box = await page.getByRole('group', { name: legend, exact: true }).boundingBox();
    assert.ok(box.y + box.height <= panel.y + panel.height, `« ${legend} » ends at ${box.y + box.height} px, out of sight`);
  }
  // The form opens with the focus on its first choice.
  assert.equal(await focused(page), 'program');
});

test('every control of the desk is reached by Tab, and shows where the focus is', async () => {
  const { page } = computer;
  // What a control is, to Tab: a group of chips is one stop (its name), anything else itself.
  const stop = () => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const key = e.name || e.id || `${e.tagName}:${e.textContent.trim()}`;
    // A chip's input is transparent: its label's text shows the focus.
    const shown = e.matches('.chip input') ? e.nextElementSibling : e;
    const style = getComputedStyle(shown);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return { key, outlined };
  };
  const reached = new Map();
  await page.locator('header .brand').click();
  for (let i = 0; i < 150; i += 1) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(stop);
    if (!at) continue;
    if (reached.has(at.key) && at.key === 'lock-now') break;
    reached.set(at.key, at.outlined);
    // « Plus de détails » opens from the keyboard too.
    const closed = await page.evaluate(() => document.activeElement.parentElement?.open === false);
    if (at.key === 'SUMMARY:Plus de détails' && closed) await page.keyboard.press('Enter');
  }
  const controls = await page.evaluate(() => [...document.querySelectorAll('button, input, summary, textarea, a[href]')]
    .filter((e) => e.checkVisibility() && e.tabIndex >= 0 || e.matches('.chips input'))
    .filter((e) => e.checkVisibility({ visibilityProperty: true }) || e.matches('.chip input'))
    .map((e) => e.name || e.id || `${e.tagName}:${e.textContent.trim()}`));
  const missed = [...new Set(controls)].filter((k) => !reached.has(k));
  assert.deepEqual(missed, [], 'reached by Tab');
  const unseen = [...reached].filter(([, outlined]) => !outlined).map(([k]) => k);
  assert.deepEqual(unseen, [], 'a visible focus');
  await moreDetails(page, false);
});

test('a counter takes + and −, or a typed number', async () => {
  const { page } = computer;
  const condoms = page.getByLabel('Condoms', { exact: true });
  await condoms.focus();
  for (const key of ['+', '+', '+', '-']) await page.keyboard.press(key);
  assert.equal(await condoms.inputValue(), '2');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('12');
  assert.equal(await condoms.inputValue(), '12');
  await page.keyboard.press('-');
  assert.equal(await condoms.inputValue(), '11');
  await page.getByRole('button', { name: 'Annuler' }).click();
  await page.waitForFunction(() => document.activeElement?.name === 'program');
});

test('Escape locks at once and the form being filled comes back, sealed meanwhile', async () => {
  const { page } = computer;
  await page.getByRole('radio', { name: 'Projet web adultes' }).check();
  await page.getByRole('radio', { name: 'Web', exact: true }).check();
  await page.getByRole('radio', { name: 'TikTok', exact: true }).check();
  await page.getByRole('radio', { name: '26-40', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Violence subie', exact: true }).check();
  await moreDetails(page, true);
  await page.getByLabel('Note (facultative)').fill('Rappel jeudi soir');

  // The help first: Escape closes it, and only it.
  await page.getByRole('checkbox', { name: 'Violence subie', exact: true }).focus();
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Raccourcis clavier' });
  await help.waitFor();
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });
  assert.equal(await page.getByTestId('pending').count(), 1, 'Escape in the help does not lock');

  await page.keyboard.press('Escape');
  await page.getByLabel('NIP', { exact: true }).waitFor();
  assert.equal(await page.getByTestId('pending').count(), 0);
  const screen = await page.locator('body').innerText();
  for (const shown of ['TikTok', 'Violence subie', 'Rappel jeudi']) assert.ok(!screen.includes(shown));
  const raw = await rawDeviceStorage(page);
  assert.match(raw, /carnet\.draft\.[0-9a-f-]+\n"v1\./, 'the draft is kept, sealed');
  for (const secret of ['tiktok', 'TikTok', 'violence_subie', 'web_adultes', '26_40', 'Rappel jeudi']) {
    assert.ok(!raw.includes(secret), `device storage holds « ${secret} » in clear`);
  }

  await unlock(page);
  await page.getByRole('heading', { name: 'Nouveau contact' }).waitFor();
  for (const chosen of ['Projet web adultes', 'Web', 'TikTok', '26-40']) {
    assert.ok(await page.getByRole('radio', { name: chosen, exact: true }).isChecked(), `${chosen} is back`);
  }
  assert.ok(await page.getByRole('checkbox', { name: 'Violence subie', exact: true }).isChecked());
  await moreDetails(page, true);
  assert.equal(await page.getByLabel('Note (facultative)').inputValue(), 'Rappel jeudi soir');

  // « Annuler » leaves the form on purpose: nothing is kept.
  await page.getByRole('button', { name: 'Annuler' }).click();
  await page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith('carnet.draft.')));
  assert.equal(await page.getByRole('radio', { name: 'TikTok', exact: true }).isChecked(), false);
});

/** One web exchange: a situation, and what changes from one message to the next. */
const A = { shortcut: 1, platform: 'Messenger', age: '18-25', gender: 'Femme', reality: 'Sexualité' };
const B = { shortcut: 2, platform: 'Instagram', age: '26-40', gender: 'Femme', reality: 'Santé' };
const C = { shortcut: 3, platform: 'TextNow', age: '26-40', gender: 'Homme', reality: 'Psychosocial' };
const D = { shortcut: 4, platform: 'Site de petites annonces', age: '18-25', gender: 'Personne trans', reality: 'Hébergement' };
const SENT = 'Envoyé';
const RECEIVED = 'Reçu';
// 20 exchanges: four conversations, each logged in full once (then made a shortcut), the
// rest repeated from their shortcut, a few with the alias of a person code.
const EXCHANGES = [
  [A, RECEIVED, 'first'], [A, SENT], [B, SENT, 'first'], [A, RECEIVED], [B, RECEIVED],
  [C, RECEIVED, 'first'], [C, SENT], [A, SENT, 'alias'], [D, SENT, 'first'], [B, SENT],
  [D, RECEIVED], [C, RECEIVED, 'alias'], [A, RECEIVED], [B, RECEIVED], [D, SENT],
  [C, SENT], [A, SENT, 'alias'], [B, SENT], [D, RECEIVED], [C, RECEIVED],
];
const ALIASES = { A: 'etoile2024', C: 'mistral87' };

test('20 web exchanges from the keyboard alone: keystrokes per record', async () => {
  const { page } = computer;
  // The desk's form, fresh (the previous test left it after « Annuler »).
  await page.waitForFunction(() => document.activeElement?.name === 'program');
  const k = typist(page);
  const rows = [];
  let saved = Number(await contactsToday(page).textContent());
  for (const [i, [situation, direction, kind = 'repeated']] of EXCHANGES.entries()) {
    const before = k.count;
    const name = Object.entries({ A, B, C, D }).find(([, s]) => s === situation)[0];
    if (kind === 'first') {
      await k.radio('program', 'Projet web adultes');
      await k.radio('milieu', 'Web');
      await k.radio('mode', 'Messagerie / réseau social');
      await k.radio('platform', situation.platform);
      await k.radio('direction', direction);
      await k.radio('age_group', situation.age);
      await k.radio('gender', situation.gender);
      await k.check('realities', situation.reality);
    } else {
      await k.press(String(situation.shortcut));
      // The shortcut's form, the focus on its direction: where this message differs.
      await page.waitForFunction(
        (platform) => document.activeElement?.name === 'direction'
          && [...document.querySelectorAll('form.record input[name="platform"]')]
            .some((i) => i.checked && i.closest('label').textContent.trim() === platform),
        situation.platform,
      );
      await k.radio('direction', direction);
      if (kind === 'alias') {
        await k.tabTo('alias');
        await k.type(ALIASES[name]);
      }
    }
    await k.press('Control+Enter');
    saved += 1;
    await contactsAre(page, saved);
    if (kind === 'first') {
      // « r »: a shortcut of the record just saved, numbered in the order made.
      await page.waitForFunction(() => document.activeElement?.closest('form.record'));
      await k.press('r');
      await page.getByText('Raccourci créé.').waitFor();
    }
    rows.push({ n: i + 1, conversation: name, platform: situation.platform, direction, kind, keys: k.count - before });
  }
  console.log('keystrokes per record (a modifier counts as a key: Ctrl+Enter is 2)');
  console.table(rows);
  const of = (kind) => rows.filter((r) => r.kind === kind).map((r) => r.keys);
  const summary = Object.fromEntries(['first', 'repeated', 'alias'].map((kind) => {
    const keys = of(kind);
    return [kind, { records: keys.length, mean: +(keys.reduce((a, b) => a + b, 0) / keys.length).toFixed(1), max: Math.max(...keys) }];
  }));
  console.log(`keystrokes: ${JSON.stringify(summary)}; all 20: ${k.count}`);
  assert.ok(summary.repeated.max <= 6, `a repeated exchange took ${summary.repeated.max} keys`);

  // What was logged is what was typed.
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByText(/contacts synchronisés\./).waitFor();
  const records = [];
  for (const { id } of await server.records()) {
    const [v] = await server.versions(id);
    if (v.platform) records.push(v);
  }
  const got = records.map((r) => `${r.platform} ${r.direction}`).sort();
  const platformCode = { Messenger: 'messenger', Instagram: 'instagram', TextNow: 'textnow', 'Site de petites annonces': 'petites_annonces' };
  const want = EXCHANGES.map(([s, d]) => `${platformCode[s.platform]} ${d === SENT ? 'sent' : 'received'}`).sort();
  assert.deepEqual(got, want);
  assert.equal(records.filter((r) => r.person_code).length, 3);
  assert.equal(new Set(records.filter((r) => r.person_code).map((r) => r.person_code)).size, 2);
  assert.deepEqual(computer.errors, []);
});

test('screenshots at 1280×900 and 1920×1080, both themes, both languages: no WCAG A/AA violation', async () => {
  const { page } = computer;
  const settings = (fr, en) => page.getByRole('button', { name: fr }).or(page.getByRole('button', { name: en }));
  for (const [lang, dark, light] of [['fr', 'Sombre', 'Clair'], ['en', 'Dark', 'Light']]) {
    for (const [theme, label] of [['dark', dark], ['light', light]]) {
      await settings('Réglages', 'Settings').click();
      await page.getByRole('radio', { name: lang === 'fr' ? 'Français' : 'English' }).check();
      await page.getByRole('radio', { name: label }).check();
      for (const [width, height] of [[1280, 900], [1920, 1080]]) {
        await page.setViewportSize({ width, height });
        const shot = `desk-${width}-${theme}-${lang}`;
        await screenshot(page, `${shot}-settings`);
        assert.deepEqual(await accessibilityViolations(page), [], `${shot}-settings`);
        await settings('Chiffres', 'Figures').click();
        await page.getByTestId('figures').waitFor();
        await screenshot(page, `${shot}-figures`);
        assert.deepEqual(await accessibilityViolations(page), [], `${shot}-figures`);
        await settings('Aujourd\'hui', 'Today').click();
        await page.locator('form.record').waitFor();
        await screenshot(page, `${shot}-form`);
        assert.deepEqual(await accessibilityViolations(page), [], `${shot}-form`);
        await page.keyboard.press('?');
        await page.getByRole('dialog').waitFor();
        await screenshot(page, `${shot}-help`);
        assert.deepEqual(await accessibilityViolations(page), [], `${shot}-help`);
        await page.keyboard.press('Escape');
        await page.getByRole('dialog').waitFor({ state: 'hidden' });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'Français' }).check();
  await page.getByRole('radio', { name: 'Sombre' }).check();
  await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
});

test('offline at desktop size: the app reloads from its service worker, opens and saves', async () => {
  const { page, context } = computer;
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20_000 });
  await context.setOffline(true);
  await page.reload();
  await unlock(page);
  await page.locator('form.record').waitFor();
  const before = Number(await contactsToday(page).textContent());
  const k = typist(page);
  await page.keyboard.press('1');
  await page.waitForFunction(() => document.activeElement?.name === 'direction');
  await k.press('Control+Enter');
  await contactsAre(page, before + 1);
  await page.getByText('1 en attente').waitFor();
  await context.setOffline(false);
});

test('narrowed to a phone\'s 360 px, the form being filled stays and the phone\'s layout is back', async () => {
  const { page } = computer;
  await page.getByRole('radio', { name: 'Homme', exact: true }).check();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.locator('nav.bottom').waitFor();
  assert.equal(await page.locator('aside.desk-side').count(), 0);
  assert.equal(await page.locator('header nav').count(), 0);
  assert.ok(await page.getByRole('radio', { name: 'Homme', exact: true }).isChecked(), 'the choice survived');
  await screenshot(page, 'desk-narrowed-360');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('aside.desk-side').waitFor();
  assert.ok(await page.getByRole('radio', { name: 'Homme', exact: true }).isChecked());
  assert.deepEqual(computer.errors, []);
});
