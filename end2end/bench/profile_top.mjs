// Where a CPU profile's time went: self time by function, the heaviest first.
//
//   node end2end/bench/profile_top.mjs FILE.cpuprofile [N]
//
// A profile comes from CARNET_BENCH_PROFILE (figures `sync`, `figures`); wasm functions
// have their names when the bench build keeps debug info (BENCHMARKS.md).
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile_top.mjs FILE.cpuprofile [N]');
const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
samples.forEach((id, i) => {
  const ms = (timeDeltas[i] ?? 0) / 1000;
  const name = byId.get(id)?.callFrame.functionName || '(anonymous)';
  self.set(name, (self.get(name) ?? 0) + ms);
  total += ms;
});
console.log(`total ${total.toFixed(1)} ms`);
for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 110)}`);
}
