// The two modules of the phone app (src/boot/): the lock screen comes from a small
// start-up module, the app's module arrives while the PIN is typed, and the unlocked key
// goes from one to the other in memory only. If the app's module is not there (the first
// visit lost its network too early), a right PIN opens nothing, says why, costs no
// lock-out, and works once the network is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, newPhoneContext, setPin, unlock, logContact, screenshot, PIN } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const NOT_DOWNLOADED = 'Carnet n\'a pas fini de se télécharger';

/** The profiles of the device as stored (neutral labels and vault headers only). */
const storedProfiles = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('carnet.profiles') ?? '[]'));

test('the lock screen comes first, the app module while the PIN is typed, the key in memory only', async () => {
  const context = await newPhoneContext(browser);
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requested = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(server.url);
    await page.getByLabel('Choisis un NIP').waitFor();
    // Nothing of the app's module is needed for the PIN screen: it is fetched after it.
    const appWasm = (p) => /^\/app\/carnet-app-[0-9a-f]+_bg\.wasm$/.test(p);
    for (let waited = 0; !requested.some(appWasm); waited += 100) {
      assert.ok(waited < 20_000, `the app's module was not fetched: ${requested.join(' ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const first = requested.findIndex((p) => p.startsWith('/app/'));
    assert.ok(requested.slice(0, first).some((p) => /^\/carnet-[0-9a-f]+_bg\.wasm$/.test(p)), requested.join(' '));

    await setPin(page);
    await logContact(page, 'Bar érotique');
    // Handed over: one app on screen, no lock screen left behind, no global left with the key.
    assert.equal(await page.locator('main.lock').count(), 0);
    assert.equal(await page.evaluate(() => 'carnetHandoff' in window), false);
    // Locked by the app's module, unlocked by its own lock screen; reloaded, by the
    // start-up module again: the same record each time.
    await page.getByRole('button', { name: 'Verrouiller' }).click();
    await unlock(page);
    assert.equal(await page.getByTestId('pending').textContent(), '1 en attente');
    await page.reload();
    await unlock(page);
    assert.equal(await page.getByTestId('pending').textContent(), '1 en attente');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('no app module yet: a right PIN opens nothing and says so, without a lock-out; online again it opens', async () => {
  // No service worker: its cache would hold the app's module (this is the first visit
  // that lost its network before the worker's install finished).
  const context = await newPhoneContext(browser, { serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    const cut = (route) => route.abort('internetdisconnected');
    await context.route('**/app/**', cut);
    await page.goto(server.url);
    await page.getByLabel('Choisis un NIP').fill(PIN);
    await page.getByLabel('Confirme le NIP').fill(PIN);
    await page.getByRole('button', { name: 'Créer mon NIP' }).click();
    await page.getByRole('alert').filter({ hasText: NOT_DOWNLOADED }).waitFor();
    // The new PIN was not kept: nothing was set up.
    assert.equal((await storedProfiles(page)).some((p) => p.vault), false);

    await context.unroute('**/app/**', cut);
    await page.getByRole('button', { name: 'Créer mon NIP' }).click();
    await page.getByTestId('pending').waitFor();
    await logContact(page, 'Bar érotique');
    assert.equal((await storedProfiles(page)).filter((p) => p.vault).length, 1);

    // The next start, the network cut again before the app's module came.
    await context.route('**/app/**', cut);
    await page.reload();
    for (let i = 0; i < 4; i++) {
      await page.getByLabel('NIP', { exact: true }).fill(PIN);
      await page.getByRole('button', { name: 'Déverrouiller' }).click();
      await page.getByRole('alert').filter({ hasText: NOT_DOWNLOADED }).waitFor();
      await page.getByRole('button', { name: 'Déverrouiller' }).and(page.locator(':enabled')).waitFor();
    }
    // A right PIN is not a wrong one: no wait was added.
    const [profile] = (await storedProfiles(page)).filter((p) => p.vault);
    assert.equal(profile.lockout?.count ?? 0, 0);
    assert.equal(await page.locator('[data-testid="pending"]').count(), 0);

    await context.unroute('**/app/**', cut);
    await unlock(page);
    assert.equal(await page.getByTestId('pending').textContent(), '1 en attente');
  } finally {
    await context.close();
  }
});

/**
 * Makes a real WebAssembly module trap in the page, as the app's does at a panic (the
 * release build aborts at once: scripts/build.sh): from an event's listener (the browser
 * reports it as an `error` event) or a promise's job (`unhandledrejection`), the two ways
 * Carnet's own code is called. (Not from a timer: the tests' fake clock catches those.)
 */
const trap = (page, from) =>
  page.evaluate(async (from) => {
    // (module (func (export "f") unreachable))
    const bytes = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11];
    const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes));
    if (from === 'event') {
      const target = new EventTarget();
      target.addEventListener('tap', () => instance.exports.f());
      target.dispatchEvent(new Event('tap'));
    } else {
      Promise.resolve().then(() => instance.exports.f());
    }
  }, from);

test('a crash covers the app with a screen that starts it again; what was saved is still there', async () => {
  const context = await newPhoneContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await setPin(page);
    await logContact(page, 'Bar érotique');
    // A script's error that is not a module's trap is not a crash of Carnet.
    await page.evaluate(() => {
      const target = new EventTarget();
      target.addEventListener('tap', () => { throw new Error('not a trap'); });
      target.dispatchEvent(new Event('tap'));
      Promise.reject(new Error('not a trap either'));
    });
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(done)));
    assert.equal(await page.locator('.crash').count(), 0);
    await page.getByRole('button', { name: 'Nouveau', exact: true }).click();

    await trap(page, 'event');
    const crash = page.getByRole('alertdialog', { name: 'Carnet s’est arrêté' });
    await crash.getByText('Les fiches déjà enregistrées ne sont pas perdues.').waitFor();
    await screenshot(page, 'crash');
    // The app behind takes no tap; the one button has the focus.
    await assert.rejects(page.getByRole('button', { name: 'Enregistrer', exact: true }).click({ timeout: 1000 }));
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Rouvrir Carnet');
    await crash.getByRole('button', { name: 'Rouvrir Carnet' }).click();
    await unlock(page);
    assert.equal(await page.getByTestId('pending').textContent(), '1 en attente');
    assert.equal(await page.locator('.crash').count(), 0);

    // In English, from a promise's job.
    await page.getByRole('button', { name: 'Réglages' }).click();
    await page.getByRole('radio', { name: 'English' }).check();
    await page.getByRole('button', { name: 'Today' }).waitFor();
    await trap(page, 'promise');
    await page.getByRole('alertdialog', { name: 'Carnet stopped' })
      .getByRole('button', { name: 'Reopen Carnet' }).click();
    await unlock(page, undefined, { label: 'PIN', button: 'Unlock' });
    assert.equal(await page.getByTestId('pending').textContent(), '1 pending');
  } finally {
    await context.close();
  }
});
