// Starts the model's Web Worker (crates/app/src/bin/worker.rs) as soon as the page's head is
// read, so the worker's wasm loads while the page's own wasm does, instead of after it. The page
// takes the worker over when its wasm runs (crates/app/src/bridge.rs); what the worker sends
// before that, and a failure to load it, are held for it. Without this script (or if it fails)
// the page starts the worker itself.
(function () {
  try {
    var held = [];
    var worker = new Worker(new URL('kubeplay-worker-loader.js', document.baseURI));
    worker.onmessage = function (e) { held.push(e.data); };
    worker.onerror = function (e) { held.push({ error: String((e && e.message) || 'the worker script did not load') }); };
    window.kubeplayWorker = { worker: worker, held: held };
  } catch (e) {
    window.kubeplayWorker = undefined;
  }
})();
