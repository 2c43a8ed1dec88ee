#!/usr/bin/env node
// After the three Trunk builds (scripts/post_build.sh, before the service worker's list):
// what Trunk and wasm-bindgen write around each module, made smaller, behaviour unchanged.
//
// 1. Short names between each module and its JavaScript glue. wasm-bindgen names every
//    import after its function and a hash (`__wbg_setAttribute_2d8c4ea1f6ec1b2f`), every
//    closure's export after its types (up to 300 characters), and writes each name twice:
//    in the wasm and in the glue. The names are renamed `a`, `b`, … `Zz` in both: the
//    imports where the glue's import object defines them (`name: function`), the exports
//    where the glue reads them (`wasm.name`). A name the glue does not hold exactly so
//    stops the build: wasm-bindgen changed its output. What the module imports straight
//    from a snippet (`watch_crashes`) keeps the name the snippet exports.
// 2. The glue, the snippets (src/boot/loader.js, src/crash.js) and the stylesheets
//    minified (esbuild, tools/package.json): Trunk copies them as they are, comments
//    included.
// 3. The `integrity` of every file a page links (Trunk's subresource integrity) computed
//    again, since the bytes changed.
//
//   node scripts/minify.mjs DIST
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'package.json'));
const esbuild = require('esbuild');

const dist = process.argv[2];
if (!dist) {
  console.error('usage: minify.mjs DIST');
  process.exit(1);
}
const fail = (message) => {
  console.error(`minify.mjs: ${message}`);
  process.exit(1);
};

// --- the wasm binary: only the import and export sections are read and written ---

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [value >>> 0, at];
    shift += 7;
  }
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [Buffer.from(bytes.subarray(start, start + length)).toString('utf8'), start + length];
}

const name = (text) => {
  const utf8 = Buffer.from(text, 'utf8');
  return [...u32(utf8.length), ...utf8];
};

/** Where an import's description ends (function, table, memory, global, tag). */
function skipImportDesc(bytes, at) {
  const kind = bytes[at++];
  const limits = (from) => {
    const flags = bytes[from++];
    let [, next] = readU32(bytes, from);
    if (flags & 1) [, next] = readU32(bytes, next);
    return next;
  };
  switch (kind) {
    case 0: return readU32(bytes, at)[1];
    case 1: return limits(at + 1);
    case 2: return limits(at);
    case 3: return at + 2;
    case 4: return readU32(bytes, at + 1)[1];
    default: fail(`unknown import kind ${kind}`);
  }
}

/** The module's sections, each as `{ id, body }`. */
function sections(bytes) {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readU32(bytes, at + 1);
    out.push({ id, body: bytes.subarray(start, start + size) });
    at = start + size;
  }
  return out;
}

/** `a` … `z`, `A` … `Z`, then two characters: short, and never a word JavaScript keeps. */
function* shortNames() {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const next = `${first}0123456789`;
  yield* first;
  for (const a of first) for (const b of next) if (!['do', 'if', 'in'].includes(a + b)) yield a + b;
}

function renameModule(wasmPath, jsPath) {
  const bytes = readFileSync(wasmPath);
  let js = readFileSync(jsPath, 'utf8');
  const names = shortNames();
  const renamed = new Map();
  const out = [bytes.subarray(0, 8)];
  for (const { id, body } of sections(bytes)) {
    let rewritten = null;
    if (id === 2 || id === 7) {
      const [count, first] = readU32(body, 0);
      rewritten = [...u32(count)];
      let at = first;
      for (let i = 0; i < count; i++) {
        if (id === 2) {
          const [module, afterModule] = readName(body, at);
          const [field, afterField] = readName(body, afterModule);
          const end = skipImportDesc(body, afterField);
          if (!module.endsWith('_bg.js')) {
            // A snippet's own export (`watch_crashes`), imported from its file as it is.
            rewritten.push(...body.subarray(at, end));
            at = end;
            continue;
          }
          const short = names.next().value;
          const key = new RegExp(`(?<![\\w$])${field.replace(/[^\w]/g, '\\$&')}(?=: )`, 'g');
          const found = js.match(key)?.length ?? 0;
          if (found !== 1) fail(`${jsPath}: the import ${field} is defined ${found} times in the glue, not once`);
          js = js.replace(key, short);
          rewritten.push(...name(module), ...name(short), ...body.subarray(afterField, end));
          at = end;
        } else {
          const [field, afterField] = readName(body, at);
          const kind = body[afterField];
          const [, end] = readU32(body, afterField + 1);
          const short = names.next().value;
          renamed.set(field, short);
          rewritten.push(...name(short), kind, ...body.subarray(afterField + 1, end));
          at = end;
        }
      }
    }
    const section = rewritten ? Buffer.from(rewritten) : body;
    out.push(Buffer.from([id, ...u32(section.length)]), section);
  }
  js = js.replace(/(?<=(?<![\w$.])wasm\.)[\w$]+/g, (field) => {
    const short = renamed.get(field);
    if (!short) fail(`${jsPath}: the glue reads wasm.${field}, which the module does not export`);
    return short;
  });
  writeFileSync(wasmPath, Buffer.concat(out));
  writeFileSync(jsPath, js);
}

// --- the builds of scripts/build.sh ---

const folders = [dist, join(dist, 'app'), join(dist, 'coordination')].filter((f) => existsSync(join(f, 'index.html')));
let before = 0;
let after = 0;
for (const folder of folders) {
  const glue = readdirSync(folder).filter((f) => /^carnet[\w-]*-[0-9a-f]+\.js$/.test(f));
  if (glue.length !== 1) fail(`${folder}: ${glue.length} module glue files, not one`);
  const jsPath = join(folder, glue[0]);
  const wasmPath = jsPath.replace(/\.js$/, '_bg.wasm');
  before += readFileSync(jsPath).length + readFileSync(wasmPath).length;
  renameModule(wasmPath, jsPath);

  const snippets = join(folder, 'snippets');
  const scripts = [jsPath];
  if (existsSync(snippets)) {
    for (const entry of readdirSync(snippets, { recursive: true })) {
      if (entry.endsWith('.js')) scripts.push(join(snippets, entry));
    }
  }
  const styles = readdirSync(folder).filter((f) => f.endsWith('.css')).map((f) => join(folder, f));
  for (const path of [...scripts, ...styles]) {
    const code = readFileSync(path, 'utf8');
    if (path !== jsPath) before += Buffer.byteLength(code);
    const options = path.endsWith('.css') ? { loader: 'css' } : { format: 'esm', target: 'es2022' };
    writeFileSync(path, esbuild.transformSync(code, { minify: true, ...options }).code);
  }
  after += [...scripts, ...styles, wasmPath].reduce((sum, path) => sum + readFileSync(path).length, 0);

  // Trunk's subresource integrity, for every file the page links.
  const page = join(folder, 'index.html');
  const html = readFileSync(page, 'utf8').replace(
    /(<link\b[^>]*?\bhref="([^"]+)"[^>]*?\bintegrity=")(sha384-[^"]+)"/g,
    (_, head, href) => {
      const file = join(dist, href.replace(/^\//, ''));
      if (!existsSync(file)) fail(`${page} links ${href}, which is not in ${dist}`);
      return `${head}sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}"`;
    },
  );
  writeFileSync(page, html);
}
console.log(`minify.mjs: ${folders.length} modules, ${before} → ${after} bytes (wasm, glue, snippets, stylesheets)`);
