// The examples end to end: the Node HTTP server and the Cloudflare Worker
// (served by workerd) load a signed bundle and answer only what the caller
// may see; a bounded load test runs against the Node server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from 'clearance';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { nativeBin, workerExample } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env.CLEARANCE_ROOT ?? resolve(here, '../..');
const project = resolve(here, '..');
const work = mkdtempSync(join(tmpdir(), 'clearance-examples-'));
const records = join(root, 'examples/reference-records.json');
const children = [];

/** The identity provider's signing key (its public half in `idp.pem`), and an impostor's. */
const idp = await generateKeyPair('EdDSA', { extractable: true });
const impostor = await generateKeyPair('EdDSA');
writeFileSync(join(work, 'idp.pem'), await exportSPKI(idp.publicKey));

/** A signed session for `user` (`key`: the identity provider's unless forged). */
async function session(user, { key = idp.privateKey, issuer = 'https://idp.test' } = {}) {
  const jwt = await new SignJWT({ amr: ['pwd'] }).setProtectedHeader({ alg: 'EdDSA' }).setSubject(user)
    .setIssuer(issuer).setAudience('crm').setIssuedAt().setExpirationTime('10m').sign(key);
  return { authorization: `Bearer ${jwt}` };
}

before(() => {
  const cli = nativeBin(root);
  execFileSync(cli, ['keygen', '-o', join(work, 'key')]);
  execFileSync(cli, ['bundle', join(root, 'examples/reference-org.json'), '--key', join(work, 'key'), '-o', join(work, 'policy.bundle')]);
});
after(() => children.forEach((child) => child.kill()));

/** Starts a server and waits until `url` answers. */
async function serve(command, args, options, url) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fetch(url);
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`server did not start: ${log}`);
}

/** What the examples must answer, computed by the package itself. */
function expected(user, object) {
  const engine = Engine.fromBundle(readFileSync(join(work, 'policy.bundle')), readFileSync(join(work, 'key.pub'), 'utf8').trim());
  engine.loadRecords(readFileSync(records, 'utf8'));
  const answer = engine.filter({ user, action: 'read', object }).map((recordId) => engine.redact({ user, recordId }));
  engine.free();
  return answer;
}

async function assertExample(base, as) {
  const alice = await (await fetch(`${base}/records/Account`, { headers: await as('rep_east_alice') })).json();
  assert.deepEqual(alice.records.map((r) => r.id), ['acc_eu_1', 'acc_eu_2', 'acc_us_1']);
  assert.deepEqual(alice.records, expected('rep_east_alice', 'Account'));
  const bob = await (await fetch(`${base}/records/Opportunity`, { headers: await as('rep_east_bob') })).json();
  assert.deepEqual(bob.records, expected('rep_east_bob', 'Opportunity'));
  assert.equal((await fetch(`${base}/records/Account`)).status, 401);
  assert.equal((await fetch(`${base}/records/Account`, { headers: await as('nobody') })).status, 401);
  const bad = await fetch(`${base}/records/Nothing`, { headers: await as('rep_east_alice') });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).code, 'unknown_object');
}

const port = () => 19000 + Math.floor(Math.random() * 1000);

test('node server example: filter + redact per user, then a bounded load test', async () => {
  copyFileSync(join(root, 'examples/node-server/server.mjs'), join(project, 'server.mjs'));
  const p = port();
  const env = {
    ...process.env, BUNDLE: join(work, 'policy.bundle'), PUBLIC_KEY: join(work, 'key.pub'), RECORDS: records, PORT: String(p), ACTIVITY_TOKEN: 'test-token',
    SESSION_PUBLIC_KEY: join(work, 'idp.pem'), SESSION_ISSUER: 'https://idp.test', SESSION_AUDIENCE: 'crm',
  };
  const server = await serve('node', [join(project, 'server.mjs')], { env, cwd: project }, `http://127.0.0.1:${p}/`);
  const base = `http://127.0.0.1:${p}`;
  await assertExample(base, (user) => session(user));
  // No header the client writes is an identity: a bare user id, a session signed by another key or another issuer.
  const get = (path, headers) => fetch(`${base}${path}`, { headers });
  assert.equal((await get('/records/Account', { 'x-user-id': 'rep_east_alice' })).status, 401);
  assert.equal((await get('/records/Account', await session('rep_east_alice', { key: impostor.privateKey }))).status, 401);
  assert.equal((await get('/records/Account', await session('rep_east_alice', { issuer: 'https://evil.test' }))).status, 401);
  assert.equal((await get('/records/Account', { authorization: 'Bearer not.a.jwt' })).status, 401);

  // Single records are checked, and every decision is an activity event the CLI analyses.
  const alice = await session('rep_east_alice');
  const one = await get('/records/Account/acc_eu_1', alice);
  assert.equal(one.status, 200);
  assert.deepEqual(await one.json(), expected('rep_east_alice', 'Account').find((r) => r.id === 'acc_eu_1'));
  const denied = await get('/records/Account/acc_us_2', alice);
  assert.equal(denied.status, 403);
  assert.equal((await denied.json()).stage, 'no_record_access');
  assert.equal((await get('/activity', {})).status, 401);
  const lines = (await (await get('/activity', { authorization: 'Bearer test-token' })).text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => [e.user, e.record, e.allowed, e.stage ?? null, e.ip]), [
    ['rep_east_alice', 'acc_eu_1', true, null, '127.0.0.1'],
    ['rep_east_alice', 'acc_us_2', false, 'no_record_access', '127.0.0.1'],
  ]);
  assert.equal((await (await get('/activity', { authorization: 'Bearer test-token' })).text()), '', 'drained');
  const log = join(work, 'server-activity.jsonl');
  writeFileSync(log, lines.map((l) => JSON.stringify(l)).join('\n'));
  const report = JSON.parse(execFileSync(nativeBin(root), ['activity', 'analyze', log, '--format', 'json']));
  assert.equal(report.events, 2);
  assert.equal(report.skipped_count, 0);

  // Malformed targets are a 400, other methods a 405, a wrong token a 401,
  // and the server keeps serving (each of these once crashed it).
  const raw = (path, method = 'GET', headers = {}) => new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: p, path, method, headers: { ...alice, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode));
    });
    req.on('error', fail);
    req.end();
  });
  for (const target of ['//', 'http://[', '/records/Account/%E0%A4%A', '/records/Account/%']) assert.equal(await raw(target), 400, target);
  assert.equal(await raw('/records/Account', 'DELETE'), 405);
  assert.equal(await raw('/activity', 'POST', { authorization: 'Bearer test-token' }), 405);
  assert.equal(await raw('/activity', 'GET', { authorization: 'Bearer test-tokeN' }), 401);
  assert.equal(await raw('/activity', 'GET', { authorization: 'Bearer test-token-and-more' }), 401);
  assert.equal((await get('/records/Account/acc_eu_1', alice)).status, 200, 'still serving');
  await (await get('/activity', { authorization: 'Bearer test-token' })).text();

  // Bounded load: 16 connections in flight for LOAD_SECONDS (default 5; the benchmark uses 60).
  const seconds = Number(process.env.LOAD_SECONDS ?? 5);
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
  const users = ['rep_east_alice', 'rep_east_bob', 'mgr_east_mike', 'dir_diana'];
  const sessions = await Promise.all(users.map((user) => session(user)));
  let done = 0, errors = 0;
  const samples = [];
  const end = Date.now() + seconds * 1000;
  const sampler = setInterval(() => samples.push(rss()), 500);
  await Promise.all(Array.from({ length: 16 }, async (_, worker) => {
    for (let i = worker; Date.now() < end; i += 16) {
      const response = await fetch(`${base}/records/Account`, { headers: sessions[i % users.length] });
      if (response.status === 200) await response.arrayBuffer(); else errors++;
      done++;
    }
  }));
  clearInterval(sampler);
  const rate = done / seconds;
  const half = Math.floor(samples.length / 2);
  const firstHalf = Math.max(...samples.slice(0, half)), secondHalf = Math.max(...samples.slice(half));
  console.log(`# load: ${rate.toFixed(0)} requests/s over ${seconds} s, ${errors} errors, rss max ${firstHalf.toFixed(1)} MB (first half) → ${secondHalf.toFixed(1)} MB (second half)`);
  writeFileSync(join(project, 'load-result.json'), JSON.stringify({ seconds, requests: done, rate, errors, rssFirstHalfMb: firstHalf, rssSecondHalfMb: secondHalf }));
  assert.equal(errors, 0);
  assert.ok(done > 0);
  // Memory stays flat: the second half peaks within 20 % (+10 MB) of the first.
  assert.ok(secondHalf <= firstHalf * 1.2 + 10, `memory grew: ${firstHalf} → ${secondHalf} MB`);
});

test('worker example: served by workerd, filter + redact per user', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearance-worker-'));
  const p = port();
  workerExample({
    root, project, dir, port: p, settings: { issuer: 'https://idp.test', audience: 'crm' },
    files: { 'policy.bundle': join(work, 'policy.bundle'), 'key.pub': join(work, 'key.pub'), 'records.json': records, 'idp.pem': join(work, 'idp.pem') },
  });
  await serve(join(project, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp')], {}, `http://127.0.0.1:${p}/`);
  const base = `http://127.0.0.1:${p}`;
  await assertExample(base, (user) => session(user));
  assert.equal((await fetch(`${base}/records/Account`, { headers: { 'x-user-id': 'rep_east_alice' } })).status, 401, 'a header is no identity');
  assert.equal((await fetch(`${base}/records/Account`, { headers: await session('rep_east_alice', { key: impostor.privateKey }) })).status, 401);
});
