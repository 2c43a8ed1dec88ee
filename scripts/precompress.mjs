#!/usr/bin/env node
// The last build step (after sw_manifest.py, see scripts/post_build.sh): writes X.br
// (brotli, best quality) and X.gz (gzip -9) next to every compressible file of the build,
// for the server's ServeDir to send as they are. Best-quality brotli is too slow to run
// per request; at build time it costs a few seconds once.
//
//   node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: precompress.mjs DIR');
  process.exit(1);
}

// Text and wasm shrink 3-5×; PNGs are compressed already.
const COMPRESSIBLE = /\.(wasm|js|mjs|css|html|webmanifest|json|svg|txt|map)$/;

function* files(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

/**
 * Best-quality brotli, and of the encoder's settings that change only how it searches
 * (the block size it splits the input into, the hint of what the bytes are), the one that
 * gives the fewest bytes: every decoder reads them all. The app's wasm is 1.8 kB smaller
 * with 16 MiB blocks and the « font » hint than with the defaults (BENCHMARKS.md).
 */
function smallestBrotli(data) {
  let best = null;
  for (const block of [0, constants.BROTLI_MAX_INPUT_BLOCK_BITS]) {
    for (const mode of [constants.BROTLI_MODE_GENERIC, constants.BROTLI_MODE_TEXT, constants.BROTLI_MODE_FONT]) {
      const out = brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
          [constants.BROTLI_PARAM_LGBLOCK]: block,
          [constants.BROTLI_PARAM_MODE]: mode,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      });
      if (!best || out.length < best.length) best = out;
    }
  }
  return best;
}

let count = 0;
let plain = 0;
let br = 0;
// Left over from an earlier run on this folder: never compress a compressed file.
for (const path of [...files(dir)]) {
  if (path.endsWith('.br') || path.endsWith('.gz')) rmSync(path);
}
for (const path of [...files(dir)]) {
  if (!COMPRESSIBLE.test(path)) continue;
  const data = readFileSync(path);
  const brotli = smallestBrotli(data);
  const gzip = gzipSync(data, { level: 9 });
  // A variant that is not smaller would only cost bytes: the server then sends the file.
  if (brotli.length < data.length) writeFileSync(`${path}.br`, brotli);
  if (gzip.length < data.length) writeFileSync(`${path}.gz`, gzip);
  count += 1;
  plain += data.length;
  br += Math.min(brotli.length, data.length);
}
console.log(`precompress.mjs: ${count} files, ${plain} bytes, ${br} as brotli`);
