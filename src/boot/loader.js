// Loads the app's module (dist/app/) into the page of the start-up module: see
// src/boot/mod.rs. The build writes the module's paths into index.html
// (<meta name="carnet-app" data-js data-wasm>, scripts/link_app.py).
let prepared = null;

/** Starts fetching and compiling the app's module, once, while the PIN is typed. */
export function prepare_app() {
  if (prepared) return;
  const meta = document.querySelector('meta[name="carnet-app"]');
  if (!meta) return;
  prepared = {
    glue: import(meta.dataset.js),
    module: WebAssembly.compileStreaming(fetch(meta.dataset.wasm)),
  };
  // A failure is reported by start_app, when the worker has typed their PIN.
  prepared.glue.catch(() => {});
  prepared.module.catch(() => {});
}

/** Starts the app's module with `handoff` (read once by its `boot::take_handoff`). */
export async function start_app(handoff) {
  prepare_app();
  if (!prepared) throw new Error('this page names no app module');
  let glue;
  let module;
  try {
    [glue, module] = await Promise.all([prepared.glue, prepared.module]);
  } catch (error) {
    prepared = null; // the next try fetches again
    throw error;
  }
  globalThis.carnetHandoff = handoff;
  try {
    await glue.default({ module_or_path: module });
  } finally {
    delete globalThis.carnetHandoff;
  }
  // What Trunk's loader does for the page's own module (the bench calls the app's hooks).
  window.wasmBindings = glue;
}
