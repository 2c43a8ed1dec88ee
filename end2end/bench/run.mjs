// Benchmarks, run by hand (BENCHMARKS.md): each figure N times, min / median / max.
//
//   node end2end/bench/run.mjs                 # every figure, 5 runs, own server on dist/
//   node end2end/bench/run.mjs --runs 9 cold   # some figures only
//   node end2end/bench/run.mjs --url http://127.0.0.1:8080/   # an already running server
//   node end2end/bench/run.mjs --json          # also one JSON line with every sample
//
// Own server: CARNET_SERVER_BIN and CARNET_DIST as for the browser tests. The phones of
// the figures that need a full one keep IndexedDB in memory, or on disk with
// CARNET_BENCH_DISK=1 (a browser of its own per phone, as a phone's storage is).
import { parseArgs } from 'node:util';
import { startServer } from '../tests/harness.mjs';
import { launch, stats } from './lib.mjs';
import figures from './figures/index.mjs';
import { closeDevices } from './figures/device.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' }, url: { type: 'string' }, json: { type: 'boolean' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
const chosen = positionals.length ? figures.filter((f) => positionals.includes(f.id)) : figures;
if (chosen.length === 0) throw new Error(`no figure named ${positionals.join(', ')}; known: ${figures.map((f) => f.id).join(', ')}`);

const server = values.url ? null : await startServer({ log: 'ignore' });
const url = values.url ?? server.url;
const browser = await launch();
const results = {};
try {
  for (const figure of chosen) {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      samples.push(await figure.run({ browser, url, server }));
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    const keys = Object.keys(samples[0]).filter((k) => typeof samples[0][k] === 'number');
    results[figure.id] = Object.fromEntries(keys.map((k) => [k, stats(samples.map((s) => s[k]))]));
    results[figure.id].samples = samples;
    const ms = results[figure.id].ms;
    console.log(`${figure.title}`);
    console.log(`  ms     min ${ms.min.toFixed(0)}  median ${ms.median.toFixed(0)}  max ${ms.max.toFixed(0)}  (${runs} runs)`);
    for (const k of keys.filter((k) => k !== 'ms')) {
      const s = results[figure.id][k];
      console.log(`  ${k.padEnd(6)} min ${s.min}  median ${s.median}  max ${s.max}`);
    }
  }
} finally {
  await closeDevices();
  await browser.close();
  await server?.stop();
}
if (values.json) console.log(JSON.stringify(results));
