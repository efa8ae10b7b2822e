// The Watcher against a real `clearance-server` on loopback: an apply on
// the server is enforced by the watching engine; the server down keeps the
// last good engine answering, and it catches up when the server is back;
// a tampered bundle and a replayed older revision are refused and the
// engine in use is kept; the fleet view shows the revision the edge runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { Engine, Watcher } from 'clearance';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { nativeBin, workerExample } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env.CLEARANCE_ROOT ?? resolve(here, '../..');
const project = resolve(here, '..');
const serverBin = join(dirname(nativeBin(root)), 'clearance-server');
const records = readFileSync(join(root, 'examples/reference-records.json'), 'utf8');
const PASSWORD = 'correct horse battery';
const EDIT_BOBS = { user: 'mgr_east_mike', action: 'edit', object: 'Account', recordId: 'acc_eu_2' };

/** Resolves when `f()` (or what it resolves to) is true, checking every 50 ms for at most `seconds`. */
async function until(f, what, seconds = 30) {
  for (let waited = 0; waited < seconds * 1000; waited += 50) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** `clearance-server serve` on `port` over `data`; resolves once it listens. */
function serve(data, port) {
  const child = spawn(serverBin, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--trusted-proxy', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
}

/** A signed-in admin (from the office, through the trusted proxy). */
async function signIn(url, user) {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.7' };
  const response = await fetch(`${url}/v1/session`, { method: 'POST', headers, body: JSON.stringify({ user, password: PASSWORD }) });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  const cookie = response.headers.get('set-cookie').split(';')[0];
  return async (method, path, payload) => {
    const sent = await fetch(`${url}${path}`, { method, headers: { ...headers, cookie, 'x-csrf-token': body.csrf }, body: payload && JSON.stringify(payload) });
    return [sent.status, await sent.json()];
  };
}

/** Signed-in sessions, reused: sign-ins from one address are rate-limited. */
const sessions = new Map();
async function session(url, user) {
  if (!sessions.has(`${url} ${user}`)) sessions.set(`${url} ${user}`, await signIn(url, user));
  return sessions.get(`${url} ${user}`);
}

async function applyMove(url, role) {
  const [mike, fiona] = [await session(url, 'mgr_east_mike'), await session(url, 'fin_mgr_fiona')];
  const [status, request] = await mike('POST', '/v1/requests', { changes: [{ op: 'move_user', user: 'rep_east_bob', role }] });
  assert.equal(status, 201, JSON.stringify(request));
  for (const step of ['approve', 'apply']) {
    const [done, body] = await fiona('POST', `/v1/requests/${request.id}/${step}`, {});
    assert.equal(done, 200, JSON.stringify(body));
  }
}

/** `watch-worker.mjs` served by workerd, allowed to reach loopback; a function that asks it once. */
async function workerd(settings) {
  const pkg = join(project, 'node_modules/clearance');
  const work = mkdtempSync(join(tmpdir(), 'clearance-watch-worker-'));
  for (const [from, to] of [[join(here, 'watch-worker.mjs'), 'worker.mjs'], [join(pkg, 'workerd.mjs'), 'workerd.mjs'], [join(pkg, 'guard.mjs'), 'guard.mjs'],
    [join(pkg, 'watcher.mjs'), 'watcher.mjs'], [join(pkg, 'web/clearance.js'), 'clearance.js'], [join(pkg, 'web/clearance_bg.wasm'), 'clearance_bg.wasm']]) {
    copyFileSync(from, join(work, to));
  }
  writeFileSync(join(work, 'settings.json'), JSON.stringify(settings));
  const port = await freePort();
  const mod = (name, kind, path) => `(name = "${name}", ${kind} = embed "${path}")`;
  writeFileSync(join(work, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "net", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    ${mod('worker.mjs', 'esModule', 'worker.mjs')}, ${mod('clearance', 'esModule', 'workerd.mjs')}, ${mod('guard.mjs', 'esModule', 'guard.mjs')},
    ${mod('watcher.mjs', 'esModule', 'watcher.mjs')}, ${mod('web/clearance.js', 'esModule', 'clearance.js')},
    ${mod('web/clearance_bg.wasm', 'wasm', 'clearance_bg.wasm')}, ${mod('settings.json', 'text', 'settings.json')},
  ],
  compatibilityDate = "2026-11-01",
  globalOutbound = "net",
);
`);
  const child = spawn(join(project, 'node_modules/.bin/workerd'), ['serve', join(work, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const ask = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    const body = await response.json();
    assert.equal(response.status, 200, `${body.error}\n${log}`);
    return body;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch (error) {
      if (attempt > 100) throw new Error(`workerd did not answer: ${log}`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  ask.stop = () => child.kill();
  return ask;
}

test('a watching engine enforces what the server applies, survives the server going away, refuses bad bundles', { skip: !existsSync(serverBin) && `no ${serverBin}` }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearance-watcher-'));
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
  execFileSync(serverBin, ['init', '--data', data, '--policy', join(root, 'examples/reference-org.json'), '--admin', 'admin_ivy', '--password-file', join(dir, 'password')]);
  for (const user of ['mgr_east_mike', 'fin_mgr_fiona']) {
    execFileSync(serverBin, ['password', '--data', data, '--user', user, '--password-file', join(dir, 'password')]);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server = await serve(data, port);
  const keys = readFileSync(join(data, 'bundle.key.pub'), 'utf8').trim();
  const mike = await signIn(url, 'mgr_east_mike');
  const [made, token] = await mike('POST', '/v1/tokens', { name: 'node-edge', scopes: ['edge'], expires_in_days: 1 });
  assert.equal(made, 201, JSON.stringify(token));

  const errors = [];
  const watcher = new Watcher({ url, token: token.token, keys, wait: 5, records, backoff: { baseMs: 100, maxMs: 400 }, onError: (e) => errors.push(e.code) });
  assert.equal(await watcher.start(), 1);
  assert.equal(watcher.isAllowed(EDIT_BOBS), true, 'bob reports to mike: mike edits his account');

  // An apply reaches the engine: bob moved west, mike only reads his account now.
  await applyMove(url, 'sales_rep_west');
  await until(() => watcher.revision === 2, 'revision 2');
  assert.equal(watcher.isAllowed(EDIT_BOBS), false);
  const decision = watcher.check(EDIT_BOBS);
  assert.deepEqual([decision.allowed, decision.revision], [false, 2]);

  // The server goes away: the last good engine keeps answering; back, the watcher catches up.
  server.kill('SIGKILL');
  await until(() => errors.includes('server_unreachable'), 'a failed fetch');
  assert.deepEqual([watcher.revision, watcher.isAllowed(EDIT_BOBS)], [2, false]);
  server = await serve(data, port);
  await applyMove(url, 'sales_rep_east');
  await until(() => watcher.revision === 3, 'revision 3');
  assert.equal(watcher.isAllowed(EDIT_BOBS), true);
  const fleetSeen = async () => (await (await signIn(url, 'mgr_east_mike'))('GET', '/v1/edges'))[1];
  let fleet;
  for (let i = 0; i < 100 && !(fleet?.edges?.[0]?.revision === 3); i++) {
    fleet = await fleetSeen();
    if (fleet.edges?.[0]?.revision !== 3) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual([fleet.current, fleet.edges[0].name, fleet.edges[0].revision, fleet.edges[0].behind], [3, 'node-edge', 3, 0]);

  // Decisions flow back: recorded with their revision, shipped in a batch, analysed by the server.
  const shipper = new Watcher({ url, token: token.token, keys, records, events: { flushMs: 600000 } });
  assert.equal(await shipper.start(), 3);
  for (const user of ['mgr_east_mike', 'rep_east_alice', 'rep_east_bob']) shipper.check({ ...EDIT_BOBS, user });
  assert.equal(await shipper.flushEvents(), 3);
  assert.equal(await shipper.flushEvents(), 0, 'nothing twice');
  const [analysed, report] = await (await signIn(url, 'mgr_east_mike'))('POST', '/v1/activity/analyze', {});
  assert.deepEqual([analysed, report.events], [200, 3], JSON.stringify(report));
  shipper.free();

  // The Node server example, its policy from this control plane and its callers signed by an identity provider.
  const idp = await generateKeyPair('EdDSA', { extractable: true });
  writeFileSync(join(dir, 'idp.pem'), await exportSPKI(idp.publicKey));
  writeFileSync(join(dir, 'bundle.key.pub'), keys);
  copyFileSync(join(root, 'examples/node-server/server.mjs'), join(project, 'watching-server.mjs'));
  const examplePort = await freePort();
  const example = spawn('node', [join(project, 'watching-server.mjs')], {
    cwd: project, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLEARANCE_URL: url, CLEARANCE_EDGE_TOKEN: token.token, BUNDLE_KEY: join(dir, 'bundle.key.pub'), RECORDS: join(root, 'examples/reference-records.json'),
      SESSION_PUBLIC_KEY: join(dir, 'idp.pem'), SESSION_ISSUER: 'https://idp.test', SESSION_AUDIENCE: 'crm', PORT: String(examplePort), ACTIVITY_TOKEN: 'x' },
  });
  try {
    await new Promise((ok, fail) => { example.stdout.once('data', ok); example.once('exit', (code) => fail(new Error(`the example exited (${code})`))); });
    const jwt = await new SignJWT({ amr: ['pwd'] }).setProtectedHeader({ alg: 'EdDSA' }).setSubject('rep_east_alice').setIssuer('https://idp.test')
      .setAudience('crm').setExpirationTime('5m').sign(idp.privateKey);
    const listed = await fetch(`http://127.0.0.1:${examplePort}/records/Account`, { headers: { authorization: `Bearer ${jwt}` } });
    assert.equal(listed.status, 200);
    assert.deepEqual((await listed.json()).records.map((r) => r.id), ['acc_eu_1', 'acc_eu_2', 'acc_us_1']);
    assert.equal((await fetch(`http://127.0.0.1:${examplePort}/activity`, { headers: { authorization: 'Bearer x' } })).status, 404, 'the watcher ships the events');
  } finally {
    example.kill();
  }

  // Deno and Bun watch too.
  for (const [runtime, args] of [['deno', ['run', '--allow-net', '--allow-read', '--allow-env']], ['bun', []]]) {
    const out = execFileSync(join(project, 'node_modules/.bin', runtime), [...args, join(here, 'watch-smoke.mjs'), url, token.token, keys, join(root, 'examples/reference-records.json')], {
      cwd: project, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()), { revision: 3, allowed: true }, `${runtime}: ${out}`);
  }

  // And in Vercel's edge-runtime (the `web` build and the watcher evaluated in an EdgeVM).
  const { EdgeVM } = await import(createRequire(join(project, 'package.json')).resolve('@edge-runtime/vm'));
  const pkg = join(project, 'node_modules/clearance');
  const script = (text) => text.replace(/^export default .*$/gm, '').replace(/^export \{[^}]*\};?$/gm, '').replace(/^export (function|class|const|async function)/gm, '$1').replace(/import\.meta\.url/g, '"file:///clearance/"');
  const wasm = readFileSync(join(pkg, 'web/clearance_bg.wasm'));
  const vm = new EdgeVM({ extend: (context) => Object.assign(context, { __wasm: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.length), __settings: JSON.stringify({ url, token: token.token, keys, records }) }) });
  for (const file of ['web/clearance.js', 'guard.mjs', 'watcher.mjs']) vm.evaluate(script(readFileSync(join(pkg, file), 'utf8')));
  const inVm = await vm.evaluate(`(async () => {
    initSync({ module: new WebAssembly.Module(__wasm) });
    const Watcher = makeWatcher(guard({ Engine, diff, lint, validate, version }).Engine);
    const watcher = new Watcher({ ...JSON.parse(__settings), wait: 1 });
    const revision = await watcher.start();
    const allowed = watcher.isAllowed({ user: 'mgr_east_mike', action: 'edit', object: 'Account', recordId: 'acc_eu_2' });
    watcher.free();
    return JSON.stringify({ revision, allowed });
  })()`);
  assert.deepEqual(JSON.parse(inVm), { revision: 3, allowed: true });

  // A workerd process enforces the next apply too.
  const worker = await workerd({ url, token: token.token, keys, records });
  try {
    let seen = await worker();
    assert.deepEqual([seen.revision, seen.allowed, seen.error], [3, true, null]);
    await applyMove(url, 'sales_rep_west');
    for (let i = 0; i < 100 && seen.revision !== 4; i++) seen = await worker();
    assert.deepEqual([seen.revision, seen.allowed], [4, false], JSON.stringify(seen));
  } finally {
    worker.stop();
  }

  // A server that answers a tampered bundle, then a good one, then a replay of revision 1.
  const headers = { authorization: `Bearer ${token.token}` };
  const good = new Uint8Array(await (await fetch(`${url}/v1/bundles/4`, { headers })).arrayBuffer());
  const old = new Uint8Array(await (await fetch(`${url}/v1/bundles/1`, { headers })).arrayBuffer());
  const tampered = good.slice();
  tampered[tampered.length - 10] ^= 1;
  let answer = tampered;
  const batches = [];
  const fake = createServer((request, response) => {
    if (request.method === 'POST') {
      // The first batch is refused (its answer "lost"); the retry must carry the same id.
      const chunks = [];
      request.on('data', (c) => chunks.push(c));
      request.on('end', () => {
        // The engine's recorded bytes, gzip, the batch id in a header: `CLEV` 1, the revision, the count, the events.
        const bytes = gunzipSync(Buffer.concat(chunks));
        const [revision, count] = [bytes[5], bytes[6]];
        const body = { batch: request.headers['x-clearance-batch'], type: request.headers['content-type'], magic: bytes.subarray(0, 5).toString('latin1'), revision, events: Array(count).fill(null) };
        batches.push(body);
        response.writeHead(batches.length === 1 ? 503 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(batches.length === 1 ? { code: 'internal', message: 'down' } : { accepted: body.events.length, duplicate: false }));
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', etag: `"${answer.length}-${answer[answer.length - 10]}"` });
    response.end(answer);
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  const fakeErrors = [];
  const edge = new Watcher({ url: `http://127.0.0.1:${fake.address().port}`, token: 'x', keys, wait: 1, records, events: { flushMs: 600000 }, backoff: { baseMs: 50, maxMs: 100 }, onError: (e) => fakeErrors.push(e.code) });
  edge.start();
  await until(() => fakeErrors.includes('bad_signature'), 'the tampered bundle refused');
  assert.equal(edge.revision, 0);
  assert.throws(() => edge.engine, (e) => e.code === 'not_ready');
  answer = good;
  assert.equal(await edge.ready(), 4);
  answer = old;
  await until(() => fakeErrors.includes('stale_bundle'), 'the replay refused');
  assert.deepEqual([edge.revision, edge.engine.bundleStamp.revision], [4, 4]);
  edge.check(EDIT_BOBS);
  await assert.rejects(edge.flushEvents(), (e) => e.code === 'internal');
  assert.equal(await edge.flushEvents(), 1);
  assert.equal(batches.length, 2);
  assert.equal(batches[1].batch, batches[0].batch, 'a retry reuses its batch id');
  assert.match(batches[1].batch, /^[0-9a-f-]{36}$/);
  assert.equal(batches[1].type, 'application/vnd.clearance.events');
  assert.deepEqual([batches[1].magic, batches[1].revision, batches[1].events.length], ['CLEV\x01', 4, 1]);
  // Two flushes at once (a timer's and a caller's) are one: one batch sent.
  edge.check(EDIT_BOBS);
  const both = await Promise.all([edge.flushEvents(), edge.flushEvents()]);
  assert.deepEqual([both, batches.length], [[1, 1], 3]);

  edge.free();
  fake.close();

  // The server unreachable for events: at most `maxBuffered` wait; the oldest batches go, whole.
  let eventsUp = false;
  const offline = async (target, init = {}) => {
    if (init.method === 'POST') {
      if (!eventsUp) throw new Error('connection refused');
      return new Response(JSON.stringify({ accepted: gunzipSync(new Uint8Array(await new Response(init.body).arrayBuffer()))[6], duplicate: false }), { status: 200 });
    }
    if (init.headers?.['if-none-match']) return new Promise(() => {});
    return new Response(good, { status: 200, headers: { etag: '"4-x"' } });
  };
  const buffering = new Watcher({ url: 'http://events.invalid', token: 'x', keys, records, fetch: offline, events: { flushMs: 600000, batchSize: 2, maxBuffered: 3 } });
  assert.equal(await buffering.start(), 4);
  for (let i = 0; i < 5; i++) buffering.check(EDIT_BOBS);
  await assert.rejects(buffering.flushEvents(), (e) => e.code === 'server_unreachable');
  assert.equal(buffering.eventsDropped, 2, 'batches of 2, 2, 1: the oldest goes');
  eventsUp = true;
  assert.equal(await buffering.flushEvents(), 3, 'the 3 kept arrive');
  buffering.free();

  // Swaps under load: checks keep running (every millisecond) while two applies land; none fails,
  // the revisions only move forward, and each answer is its revision's (bob east on odd revisions).
  const seen = [];
  const load = setInterval(() => {
    for (let i = 0; i < 20; i++) {
      const d = watcher.check(EDIT_BOBS);
      seen.push([d.revision, d.allowed]);
    }
  }, 1);
  await applyMove(url, 'sales_rep_east');
  await until(() => watcher.revision === 5, 'revision 5');
  await applyMove(url, 'sales_rep_west');
  await until(() => watcher.revision === 6, 'revision 6');
  await new Promise((r) => setTimeout(r, 50));
  clearInterval(load);
  assert.ok(seen.length > 100 && seen.some(([r]) => r === 4) && seen.some(([r]) => r === 5) && seen.some(([r]) => r === 6));
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i][0] >= seen[i - 1][0], `revision went back at ${i}`);
  for (const [revision, allowed] of seen) assert.equal(allowed, revision % 2 === 1, `revision ${revision} answered ${allowed}`);
  assert.equal(watcher.check(EDIT_BOBS, { atLeast: 6 }).revision, 6);
  assert.throws(() => watcher.check(EDIT_BOBS, { atLeast: 7 }), (e) => e.code === 'behind_revision');
  watcher.free();

  // The Worker example with a control plane: deployed with revision 1's bundle, it follows the
  // server (each request lets its watcher look once) and answers from the newest revision it has.
  const bundleAt = async (revision) => new Uint8Array(await (await fetch(`${url}/v1/bundles/${revision}`, { headers: { authorization: `Bearer ${token.token}` } })).arrayBuffer());
  const readable = (bytes) => {
    const engine = Engine.fromBundle(bytes, keys);
    engine.loadRecords(records);
    const ids = engine.filter({ user: 'mgr_west_maria', action: 'read', object: 'Account' });
    engine.free();
    return ids;
  };
  const exampleDir = mkdtempSync(join(tmpdir(), 'clearance-watching-worker-'));
  writeFileSync(join(exampleDir, 'first.bundle'), await bundleAt(1));
  const workerPort = await freePort();
  const config = workerExample({
    root, project, dir: exampleDir, port: workerPort, network: true,
    settings: { issuer: 'https://idp.test', audience: 'crm', clearanceUrl: url, edgeToken: token.token },
    files: { 'policy.bundle': join(exampleDir, 'first.bundle'), 'key.pub': join(dir, 'bundle.key.pub'), 'records.json': join(root, 'examples/reference-records.json'), 'idp.pem': join(dir, 'idp.pem') },
  });
  const exampleWorker = spawn(join(project, 'node_modules/.bin/workerd'), ['serve', config], { stdio: 'ignore' });
  try {
    const mariaJwt = await new SignJWT({ amr: ['pwd'] }).setProtectedHeader({ alg: 'EdDSA' }).setSubject('mgr_west_maria').setIssuer('https://idp.test')
      .setAudience('crm').setExpirationTime('5m').sign(idp.privateKey);
    const listed = async () => {
      const response = await fetch(`http://127.0.0.1:${workerPort}/records/Account`, { headers: { authorization: `Bearer ${mariaJwt}` } });
      assert.equal(response.status, 200);
      return (await response.json()).records.map((r) => r.id);
    };
    const [first, sixth] = [readable(await bundleAt(1)), readable(await bundleAt(6))];
    assert.notDeepEqual(first, sixth, 'bob moved west: maria, west`s manager, reads his account');
    await until(async () => { try { return JSON.stringify(await listed()) === JSON.stringify(sixth); } catch { return false; } }, 'the worker on revision 6');
    await applyMove(url, 'sales_rep_east');
    const seventh = readable(await bundleAt(7));
    assert.notDeepEqual(seventh, sixth);
    await until(async () => JSON.stringify(await listed()) === JSON.stringify(seventh), 'the worker on revision 7');
  } finally {
    exampleWorker.kill();
    server.kill('SIGKILL');
  }
});
