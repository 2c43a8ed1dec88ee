// Shared set-up for the browser tests: a real carnet-server on a free loopback port with
// its own SQLite file, and Debian's Chromium driven by Playwright at a phone viewport.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
export const SERVER_BIN = process.env.CARNET_SERVER_BIN ?? join(root, 'target', 'debug', 'carnet-server');
export const DIST = process.env.CARNET_DIST ?? join(root, 'dist');
export const SCREENSHOTS = join(here, '..', 'screenshots');

/**
 * Spawns `carnet-server serve` and resolves with the child and its URL. Port 0: one the OS
 * picks. `log: 'ignore'` silences its request log (benchmarks).
 */
function spawnServer(db, { dist = DIST, port = 0, log = 'inherit' } = {}) {
  const child = spawn(SERVER_BIN, ['serve', '--db', db, '--dist', dist, '--addr', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', log],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 20 s')), 20_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/Carnet: (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited early with ${code}`)));
  });
}

/** Starts a server on port 0 and reads the address it prints; creates one worker. */
export async function startServer({ log = 'inherit' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-e2e-'));
  const db = join(dir, 'carnet.db');
  const token = execFileSync(SERVER_BIN, ['worker', 'add', 'poste-e2e', '--db', db], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  let { child, url } = await spawnServer(db, { log });
  // Answering, and ours (the port came from the OS, so nobody else's server is there).
  const res = await fetch(new URL('api/v1/taxonomy', url));
  if (!res.ok) throw new Error(`server not answering: ${res.status}`);
  return {
    get url() {
      return url;
    },
    token,
    db,
    /** A one-time pairing code for a worker (`carnet-server worker pair`). */
    pairingCode(name) {
      return execFileSync(SERVER_BIN, ['worker', 'pair', name, '--db', db], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    },
    /** Adds a worker (or a coordinator) and returns its token. */
    addWorker(name, { coordinator = false } = {}) {
      const args = ['worker', 'add', name, '--db', db];
      if (coordinator) args.push('--coordinator');
      return execFileSync(SERVER_BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    },
    /** Latest version of each record the server holds for this worker, through the API. */
    async records() {
      const r = await fetch(new URL('api/v1/records', url), {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!r.ok) throw new Error(`GET records: ${r.status}`);
      return (await r.json()).records;
    },
    async recordIds() {
      return (await this.records()).map((r) => r.id);
    },
    /** Every version of one record (the audit trail). */
    async versions(id) {
      const r = await fetch(new URL(`api/v1/records/${id}/versions`, url), {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!r.ok) throw new Error(`GET versions: ${r.status}`);
      return r.json();
    },
    /** SIGKILL, as a crash or a power cut would. */
    async kill() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    /** Starts the server again on the same database (a new port: see `url`). */
    async restart() {
      ({ child, url } = await spawnServer(db));
    },
    /** The worker's own report for a period (interventions counted by the server). */
    async report(from, to) {
      const r = await fetch(new URL(`api/v1/report?from=${from}&to=${to}`, url), {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!r.ok) throw new Error(`GET report: ${r.status}`);
      return (await r.json()).report;
    },
    /**
     * A deploy: stops the server and starts it on another build at the same origin (same
     * port: a service worker belongs to its origin) and the same database.
     */
    async deploy(dist) {
      await this.halt();
      const port = Number(new URL(url).port);
      ({ child, url } = await spawnServer(db, { dist, port, log }));
    },
    /** SIGTERM, and waits until the process is gone. */
    async halt() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
    async stop() {
      await this.halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, as root in a container, kept from calling hosts this network refuses. */
/** How every test and bench starts Chromium: Debian's, never a downloaded one. */
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export async function launchChromium() {
  return chromium.launch(CHROMIUM);
}

/**
 * A phone whose storage is on disk, as a real phone's is: a browser of its own on a new
 * profile folder. `browser.newContext()` profiles keep IndexedDB in memory.
 */
export async function launchOnDisk(options) {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-profile-'));
  const context = await chromium.launchPersistentContext(dir, { ...CHROMIUM, ...options });
  context.on('close', () => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    } catch {
      // Chromium may still be writing its profile as it exits: the folder stays in /tmp.
    }
  });
  return context;
}

/** A phone: 360×740, touch, Québec French. Each context is a fresh profile. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'fr-CA',
  timezoneId: 'America/Toronto',
  serviceWorkers: 'allow',
};

/** A computer's window (the desk, `src/ui/desk.rs`): no touch, a mouse and a keyboard. */
export function desk(width = 1280, height = 900) {
  return { ...PHONE, viewport: { width, height }, deviceScaleFactor: 1, isMobile: false, hasTouch: false };
}

/**
 * The phones' clock: one fixed instant, so that no test depends on the day it runs (a
 * month's name, a week or a year that starts, midnight during a test). Time flows from it.
 * `CARNET_E2E_NOW=2026-12-31T23:58:00-05:00` runs the whole suite from another instant,
 * such as a calendar edge (`calendar.test.mjs` tests the edges themselves).
 */
export const TEST_NOW = new Date(process.env.CARNET_E2E_NOW ?? '2026-06-17T10:00:00-04:00');

/** The date (`YYYY-MM-DD`) of an instant (ms) on the phones' time zone. */
export function localDay(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: PHONE.timezoneId }).format(new Date(ms));
}

/** A new phone profile (context) whose pages' clock starts at `TEST_NOW`. */
export async function newPhoneContext(browser, options = {}) {
  const context = await browser.newContext({ ...PHONE, ...options });
  await context.clock.install({ time: TEST_NOW });
  return context;
}

export async function launchPhone({ acceptDownloads = false, device = {} } = {}) {
  const browser = await launchChromium();
  const context = await newPhoneContext(browser, { acceptDownloads, ...device });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { browser, context, page, errors };
}

/** Saves a screenshot, after checking the screen fits 360 px without sideways scrolling. */
export async function screenshot(page, name) {
  // The phone's 360 px, or the window's width for the coordinator's app on a computer.
  const [width, viewport] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  const limit = Math.max(360, viewport);
  if (width > limit) throw new Error(`${name}: the page is ${width} px wide, more than the screen's ${limit}`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** How many values of the sync log the app's IndexedDB holds, read directly. */
async function syncLogLength(page) {
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    let count = 0;
    for (const name of dbs.map((d) => d.name).filter((n) => n.startsWith('carnet-'))) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      count += await new Promise((res, rej) => {
        // `~log:<seq>:<uuid>`; `;` sorts right after `:`.
        const q = db.transaction('records').objectStore('records').count(IDBKeyRange.bound('~log:', '~log;', false, true));
        q.onsuccess = () => res(q.result);
        q.onerror = () => rej(q.error);
      });
      db.close();
    }
    return count;
  });
}

/**
 * Waits until the app has folded its sync log into the rows (it does so in the
 * background after a run), so that rows read directly say what the app knows.
 * Failing here means the log was left unfolded: the app would still read right,
 * but slower at every read.
 */
export async function syncLogFolded(page, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const left = await syncLogLength(page);
    if (left === 0) return;
    if (Date.now() > end) throw new Error(`the sync log still holds ${left} value(s) after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Record ids in the app's IndexedDB, read directly (not through the app). */
export async function deviceRecordIds(page) {
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    const name = dbs.map((d) => d.name).find((n) => n.startsWith('carnet-'));
    if (!name) return [];
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const req = db.transaction('records').objectStore('records').getAllKeys();
        req.onsuccess = () => {
          db.close();
          // `~block:` (sealed older records) and `~log:` (the sync log) are not records.
          resolve(req.result.filter((k) => !String(k).startsWith('~')));
        };
        req.onerror = () => reject(req.error);
      };
    });
  });
}

/**
 * Every row's bookkeeping in the app's IndexedDB (the body stays sealed), read directly
 * once the app has folded its sync log in.
 */
export async function deviceRows(page) {
  await syncLogFolded(page);
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    const names = dbs.map((d) => d.name).filter((n) => n.startsWith('carnet-'));
    const out = [];
    for (const name of names) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const rows = await new Promise((res, rej) => {
        const q = db.transaction('records').objectStore('records').getAll();
        q.onsuccess = () => res(q.result);
        q.onerror = () => rej(q.error);
      });
      db.close();
      for (const stored of rows) {
        // Sealed blocks of older synced records and the sync log are not rows.
        if (String(stored.id).startsWith('~')) continue;
        // `{ id, row: "<json>" }`, or a plain object from an older version.
        const r = typeof stored.row === 'string' ? JSON.parse(stored.row) : stored;
        out.push({ id: r.id, version: r.version, state: r.sync.state, sent: r.sent ?? null, acked: r.acked ?? null });
      }
    }
    return out;
  });
}

/**
 * Marks every stored record pending again, as if acknowledgements had been lost
 * (once the sync log is folded in, or its answers would come back).
 */
export async function forgetAcknowledgements(page) {
  await syncLogFolded(page);
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    const name = dbs.map((d) => d.name).find((n) => n.startsWith('carnet-'));
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction('records', 'readwrite');
        const store = tx.objectStore('records');
        const all = store.getAll();
        let rows = 0;
        all.onsuccess = () => {
          for (const stored of all.result) {
            if (String(stored.id).startsWith('~')) continue;
            rows += 1;
            if (typeof stored.row === 'string') {
              const row = JSON.parse(stored.row);
              store.put({ id: stored.id, row: JSON.stringify({ ...row, sync: { state: 'pending' } }) });
            } else {
              store.put({ ...stored, sync: { state: 'pending' } });
            }
          }
        };
        tx.oncomplete = () => {
          db.close();
          resolve(rows);
        };
        tx.onerror = () => reject(tx.error);
      };
      open.onerror = () => reject(open.error);
    });
  });
}

/** The PIN every test worker chooses. */
export const PIN = '246810';

/** First use: choose the PIN (the app opens locked, on the set-up screen). */
export async function setPin(page, pin = PIN) {
  await page.getByLabel('Choisis un NIP').fill(pin);
  await page.getByLabel('Confirme le NIP').fill(pin);
  await page.getByRole('button', { name: 'Créer mon NIP' }).click();
  await page.getByTestId('pending').waitFor();
}

/**
 * After a reload or a lock: unlock with the PIN. Unlocked is the phone's header with its
 * pending count known, or the coordinator's app's navigation.
 */
export async function unlock(page, pin = PIN, { label = 'NIP', button = 'Déverrouiller' } = {}) {
  await page.getByLabel(label, { exact: true }).fill(pin);
  await page.getByRole('button', { name: button }).click();
  // The day's screen comes first; the queue's count once every row is read (`aria-busy`
  // until then).
  await page.locator('[data-testid="pending"]:not([aria-busy]), [data-testid="unlocked"]').first().waitFor();
}

/** Everything IndexedDB and localStorage hold, as one string, read around the app. */
export async function rawDeviceStorage(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of db.objectStoreNames) {
        const rows = await new Promise((res, rej) => {
          const q = db.transaction(store).objectStore(store).getAll();
          q.onsuccess = () => res(q.result);
          q.onerror = () => rej(q.error);
        });
        out.push(JSON.stringify(rows));
      }
      db.close();
    }
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      out.push(key, localStorage.getItem(key));
    }
    return out.join('\n');
  });
}

/** Réglages → paste a token (the advanced way, under « Coller un jeton à la place »). */
export async function enterToken(page, token) {
  await page.getByRole('button', { name: 'Réglages' }).click();
  await page.getByText('Coller un jeton à la place').click();
  await page.getByLabel('Jeton de synchronisation').fill(token);
  await page.getByRole('button', { name: 'Enregistrer le jeton' }).click();
  await page.getByText('Jeton enregistré.').waitFor();
}

/** Réglages → pair with a one-time code (the usual way). */
export async function enterPairingCode(page, code) {
  await page.getByRole('button', { name: 'Réglages' }).click();
  await page.getByLabel('Code de jumelage').fill(code);
  await page.getByRole('button', { name: 'Jumeler cet appareil' }).click();
  await page.getByText('Appareil jumelé.').waitFor();
}

/**
 * A worker's phone ready for the shift: a PIN chosen, paired with a one-time code for
 * `worker` on `server`, back on « Aujourd'hui ».
 */
export async function pairedPhone(page, server, worker = 'poste-e2e') {
  await setPin(page);
  await enterPairingCode(page, server.pairingCode(worker));
  await page.getByRole('button', { name: 'Aujourd\'hui' }).click();
}

/** Logs one contact through the form (CatWoman, 26-40, Femme, Santé) at `milieu`. */
export async function logContact(page, milieu) {
  await page.getByRole('button', { name: 'Nouveau', exact: true }).click();
  await page.getByRole('radio', { name: 'CatWoman (travail de milieu)' }).check();
  await page.getByRole('radio', { name: milieu, exact: true }).check();
  await page.getByRole('radio', { name: '26-40', exact: true }).check();
  await page.getByRole('radio', { name: 'Femme', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Santé', exact: true }).check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByText('Enregistré sur l\'appareil.').waitFor();
}

/** The files of a zip (an xlsx), by name, as text. */
export function unzip(buf) {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const files = {};
  for (let i = 0; i < count; i += 1) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const [nameLen, extraLen, commentLen] = [28, 30, 32].map((o) => buf.readUInt16LE(p + o));
    const at = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    const data = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const AXE = readFileSync(join(root, 'end2end', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.x A and AA rules on the page as it is now: the violations, each as
 * `rule (impact): nodes`. Screens are checked in both themes by the tests that call it.
 */
export async function accessibilityViolations(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.map((v) => `${v.rule} (${v.impact}): ${v.nodes.slice(0, 5).join(', ')}${v.nodes.length > 5 ? ` … ${v.nodes.length} in all` : ''}`);
}
