// What the real build sends: every compressible file of dist/ has brotli and gzip variants
// that decode to the same bytes, the server picks them by Accept-Encoding, and cache
// lifetimes match the names (hashed: for good; stable: revalidated).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startServer, DIST } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** Raw response: no automatic decoding (fetch would undo the Content-Encoding). */
function raw(url, headers = {}) {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const files = readdirSync(DIST, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath ?? e.path, e.name).slice(DIST.length + 1));
const compressible = files.filter((f) => /\.(wasm|js|css|html|webmanifest)$/.test(f));

test('the build wrote brotli and gzip of every compressible file, decoding to the same bytes', () => {
  for (const kind of ['_bg.wasm', '.js', '.css', 'index.html', 'sw.js', '.webmanifest']) {
    assert.ok(compressible.some((f) => f.endsWith(kind)), `no ${kind} in dist/`);
  }
  for (const f of compressible) {
    const plain = readFileSync(join(DIST, f));
    assert.deepEqual(brotliDecompressSync(readFileSync(join(DIST, `${f}.br`))), plain, `${f}.br`);
    assert.deepEqual(gunzipSync(readFileSync(join(DIST, `${f}.gz`))), plain, `${f}.gz`);
  }
  // The service worker precaches the files, never their variants.
  const sw = readFileSync(join(DIST, 'sw.js'), 'utf8');
  assert.doesNotMatch(sw, /\.(br|gz)"/);
  assert.match(sw, /_bg\.wasm"/);
});

test('the server sends the brotli variant with lifetimes that fit the names', async () => {
  const chromium = { 'accept-encoding': 'gzip, deflate, br, zstd' };
  for (const f of compressible) {
    const res = await raw(new URL(f, server.url), chromium);
    assert.equal(res.status, 200, f);
    assert.equal(res.headers['content-encoding'], 'br', f);
    assert.match(res.headers.vary ?? '', /accept-encoding/i, f);
    assert.deepEqual(res.body, readFileSync(join(DIST, `${f}.br`)), f);
    const hashed = /-[0-9a-f]{8,16}(_bg)?\.(wasm|js|css)$/.test(f);
    assert.equal(
      res.headers['cache-control'],
      hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      f,
    );
  }
  const wasm = compressible.find((f) => f.endsWith('_bg.wasm'));
  const gz = await raw(new URL(wasm, server.url), { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['content-type'], 'application/wasm');
  const plain = await raw(new URL(wasm, server.url));
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.deepEqual(plain.body, readFileSync(join(DIST, wasm)));
  // A brotli wasm is a fraction of the plain one.
  assert.ok(readFileSync(join(DIST, `${wasm}.br`)).length * 2 < plain.body.length);
});
