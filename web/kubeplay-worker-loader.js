// Loads the model's Web Worker: crates/app/src/bin/worker.rs, which Trunk builds beside the page
// as kubeplay-worker.js and kubeplay-worker_bg.wasm (index.html). The page starts this script
// with its build's id as the query (`?v=`, crates/app/src/bridge.rs), which is passed on, so no
// file comes from a cache of another build. If the wasm cannot load (a missing file, a blocked
// compile), the page is told with the message a panic sends (FromEngine::Panicked in
// crates/app/src/shown.rs) and shows why, instead of waiting forever.
importScripts('./kubeplay-worker.js' + self.location.search);
wasm_bindgen('./kubeplay-worker_bg.wasm' + self.location.search).catch(function (e) {
  postMessage(JSON.stringify({ Panicked: 'the model could not load: ' + e }));
});
