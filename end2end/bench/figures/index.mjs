// Every figure the benchmark knows, in the order it runs them. A figure is a module with
// `id`, `title` and `async run({ browser, url, server })` returning `{ ms, ...extras }` for
// one run (numeric extras such as `bytes` get their own min/median/max); `run.mjs` calls it
// N times and prints the spread.
//
// Figures to add once the app has its bench-only seeding entry point (issue 12): unlock with
// N records on the device, « Enregistrer » to durable (p95), « Mes chiffres » for a year,
// sync of 5 000 queued records.
import cold from './cold_start.mjs';
import warm from './warm_start.mjs';

export default [cold, warm];
