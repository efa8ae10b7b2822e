// Helpers shared by the package's tests.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The API's multi-word keys: JavaScript's camelCase for the engine's snake_case (the contract of SPEC §6). */
const KEYS = {
  recordId: 'record_id', ownerRole: 'owner_role', viaSuperior: 'via_superior', missingContext: 'missing_context',
  teamTable: 'team_table', sharesTable: 'shares_table', roleAndSubordinates: 'role_and_subordinates', departmentTree: 'department_tree',
};
/** Keys whose object values are user data, never renamed. */
const DATA = new Set(['fields', 'context', 'tables', 'users', 'objects', 'actions']);

/** The engine's (CLI's) form of a JavaScript answer: a JSON Pointer or a JSON value. */
export function toSnake(value) {
  if (typeof value === 'string') return value.split('/').map((t) => KEYS[t] ?? t).join('/');
  if (Array.isArray(value)) return value.map(toSnake);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [KEYS[k] ?? k, DATA.has(k) && v && typeof v === 'object' && !Array.isArray(v) ? v : typeof v === 'string' ? v : toSnake(v)]),
    );
  }
  return value;
}

/** The native CLI built by cargo (CLEARANCE_BIN overrides). */
export function nativeBin(root) {
  const bin = process.env.CLEARANCE_BIN ?? join(root, 'target/debug/clearance');
  if (!existsSync(bin)) throw new Error(`native CLI not found at ${bin}: run cargo build -p clearance-cli`);
  return bin;
}

/**
 * The Worker example (examples/worker) laid out for `workerd serve`: the
 * example, the package's workerd files, `files` ({policy.bundle, key.pub,
 * records.json, idp.pem}: paths), `settings`, and jose's modules (what
 * wrangler's bundling does for you). With `network`, the worker may reach
 * loopback (a control plane on this machine). Returns the config's path.
 */
export function workerExample({ root, project, dir, port, files, settings, network = false }) {
  const pkg = join(project, 'node_modules/clearance');
  for (const [from, to] of [
    [join(root, 'examples/worker/worker.mjs'), 'worker.mjs'], [join(pkg, 'workerd.mjs'), 'workerd.mjs'], [join(pkg, 'guard.mjs'), 'guard.mjs'], [join(pkg, 'watcher.mjs'), 'watcher.mjs'],
    [join(pkg, 'web/clearance.js'), 'clearance.js'], [join(pkg, 'web/clearance_bg.wasm'), 'clearance_bg.wasm'], ...Object.entries(files).map(([to, from]) => [from, to]),
  ]) copyFileSync(from, join(dir, to));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
  const jose = join(project, 'node_modules/jose/dist/webapi');
  const modules = ['(name = "jose", esModule = embed "jose/index.js")'];
  for (const rel of readdirSync(jose, { recursive: true }).filter((f) => f.endsWith('.js'))) {
    mkdirSync(dirname(join(dir, 'jose', rel)), { recursive: true });
    copyFileSync(join(jose, rel), join(dir, 'jose', rel));
    modules.push(`(name = "${rel}", esModule = embed "jose/${rel}")`);
  }
  let config = readFileSync(join(root, 'examples/worker/config.capnp'), 'utf8').replace('127.0.0.1:8787', `127.0.0.1:${port}`);
  config = config.replace('# JOSE_MODULES', `${modules.join(',\n    ')},`);
  if (network) {
    config = config.replace('services = [ (name = "main", worker = .worker) ]', 'services = [ (name = "main", worker = .worker), (name = "net", network = (allow = ["public", "private", "local"])) ]');
    config = config.replace('compatibilityDate = "2026-11-01",', 'compatibilityDate = "2026-11-01",\n  globalOutbound = "net",');
    if (!config.includes('globalOutbound')) throw new Error('the example`s config changed: cannot let it reach the network');
  }
  writeFileSync(join(dir, 'config.capnp'), config);
  return join(dir, 'config.capnp');
}
