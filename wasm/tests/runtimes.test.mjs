// The package in every runtime the issue names, each from the npm registry:
// Node (in process), Deno and Bun (their binaries run runtime-smoke.mjs),
// workerd (serves worker.mjs on loopback; a request runs the suite) and
// Vercel's edge-runtime (the `web` build evaluated in an EdgeVM).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as clearance from 'clearance';
import { smoke } from './smoke.mjs';
import { nativeBin } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env.CLEARANCE_ROOT ?? resolve(here, '../..');
const project = resolve(here, '..');
const bin = (name) => join(project, 'node_modules/.bin', name);
const work = mkdtempSync(join(tmpdir(), 'clearance-runtimes-'));
const files = { bundle: join(work, 'reference.bundle'), key: join(work, 'reference.key'), records: join(root, 'examples/reference-records.json') };

before(() => {
  const cli = nativeBin(root);
  execFileSync(cli, ['keygen', '-o', files.key]);
  execFileSync(cli, ['bundle', join(root, 'examples/reference-org.json'), '--key', files.key, '-o', files.bundle]);
});

const load = () => [new Uint8Array(readFileSync(files.bundle)), readFileSync(`${files.key}.pub`, 'utf8').trim(), readFileSync(files.records, 'utf8')];

test('node: smoke suite (ESM import)', () => {
  const result = smoke(clearance, ...load());
  assert.equal(result.filter, 3);
});

test('node: smoke suite (CommonJS require)', () => {
  const required = createRequire(import.meta.url)('clearance');
  assert.equal(smoke(required, ...load()).filter, 3);
});

for (const runtime of [
  { name: 'deno', args: ['run', '--allow-read', '--allow-env'] },
  { name: 'bun', args: [] },
]) {
  test(`${runtime.name}: smoke suite`, () => {
    const out = execFileSync(bin(runtime.name), [...runtime.args, join(here, 'runtime-smoke.mjs'), files.bundle, `${files.key}.pub`, files.records], {
      cwd: project, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    assert.equal(JSON.parse(out.trim().split('\n').pop()).filter, 3, out);
  });
}

test('workerd: smoke suite in a served Worker', async () => {
  const pkg = join(project, 'node_modules/clearance');
  // Cap'n Proto embeds paths relative to the config: gather the worker's files beside it.
  for (const [from, to] of [[join(here, 'worker.mjs'), 'worker.mjs'], [join(here, 'smoke.mjs'), 'smoke.mjs'], [join(pkg, 'workerd.mjs'), 'workerd.mjs'],
    [join(pkg, 'guard.mjs'), 'guard.mjs'], [join(pkg, 'watcher.mjs'), 'watcher.mjs'], [join(pkg, 'web/clearance.js'), 'clearance.js'], [join(pkg, 'web/clearance_bg.wasm'), 'clearance_bg.wasm']]) {
    copyFileSync(from, join(work, to));
  }
  copyFileSync(`${files.key}.pub`, join(work, 'reference.pub'));
  copyFileSync(files.records, join(work, 'reference-records.json'));
  const port = 18000 + Math.floor(Math.random() * 1000);
  const mod = (name, kind, path) => `(name = "${name}", ${kind} = embed "${path}")`;
  writeFileSync(join(work, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    ${mod('worker.mjs', 'esModule', 'worker.mjs')},
    ${mod('smoke.mjs', 'esModule', 'smoke.mjs')},
    ${mod('clearance', 'esModule', 'workerd.mjs')},
    ${mod('guard.mjs', 'esModule', 'guard.mjs')},
    ${mod('watcher.mjs', 'esModule', 'watcher.mjs')},
    ${mod('web/clearance.js', 'esModule', 'clearance.js')},
    ${mod('web/clearance_bg.wasm', 'wasm', 'clearance_bg.wasm')},
    ${mod('reference.bundle', 'data', 'reference.bundle')},
    ${mod('reference.pub', 'text', 'reference.pub')},
    ${mod('reference-records.json', 'text', 'reference-records.json')},
  ],
  compatibilityDate = "2026-11-01",
);
`);
  const server = spawn(bin('workerd'), ['serve', join(work, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d) => (log += d));
  server.stderr.on('data', (d) => (log += d));
  try {
    let response;
    for (let attempt = 0; attempt < 100 && !response; attempt++) {
      try {
        response = await fetch(`http://127.0.0.1:${port}/`);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(response, `workerd did not answer: ${log}`);
    const body = await response.json();
    assert.equal(body.ok, true, `${body.error}\n${log}`);
    assert.equal(body.filter, 3);
  } finally {
    server.kill();
  }
});

test('edge-runtime: smoke suite in an EdgeVM', async () => {
  const { EdgeVM } = await import(createRequire(join(project, 'package.json')).resolve('@edge-runtime/vm'));
  const pkg = join(project, 'node_modules/clearance');
  // The VM runs scripts: the ESM glue and the suite become plain declarations.
  const script = (text) => text.replace(/^export default .*$/gm, '').replace(/^export \{[^}]*\};?$/gm, '').replace(/^export (function|class|const|async function)/gm, '$1').replace(/import\.meta\.url/g, '"file:///clearance/"');
  const wasm = readFileSync(join(pkg, 'web/clearance_bg.wasm'));
  const [bundle, key, records] = load();
  const vm = new EdgeVM({ extend: (context) => Object.assign(context, { __wasm: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.length), __bundle: bundle.buffer.slice(0), __key: key, __records: records }) });
  vm.evaluate(script(readFileSync(join(pkg, 'web/clearance.js'), 'utf8')));
  vm.evaluate(script(readFileSync(join(pkg, 'guard.mjs'), 'utf8')));
  vm.evaluate(script(readFileSync(join(here, 'smoke.mjs'), 'utf8')));
  const result = vm.evaluate(`initSync({ module: new WebAssembly.Module(__wasm) });
    JSON.stringify(smoke(guard({ Engine, diff, lint, validate, version }), new Uint8Array(__bundle), __key, __records))`);
  assert.equal(JSON.parse(result).filter, 3);
});
