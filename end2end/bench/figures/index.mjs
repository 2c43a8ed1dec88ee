// Every figure the benchmark knows, in the order it runs them. A figure is a module with
// `id`, `title` and `async run({ browser, url, server })` returning `{ ms, ...extras }` for
// one run (numeric extras such as `bytes` get their own min/median/max); `run.mjs` calls it
// N times and prints the spread. The figures on a full phone need the bench build (a
// `bench_seed` entry point compiled only with `--cfg carnet_bench`: BENCHMARKS.md).
import cold from './cold_start.mjs';
import { firstAfterSixSeconds, firstAtOnce } from './first_visit.mjs';
import warm from './warm_start.mjs';
import unlock from './unlock_large.mjs';
import open from './open_large.mjs';
import save from './save_large.mjs';
import figures from './figures_year.mjs';
import sync, { sync3g } from './sync_queue.mjs';
import waiting from './waiting.mjs';

export default [cold, firstAfterSixSeconds, firstAtOnce, warm, unlock, open, save, figures, sync, sync3g, ...waiting];
