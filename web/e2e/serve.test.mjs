// The main command's static server (scripts/serve-dist.mjs): types, the
// app's addresses falling back to index.html, and hostile addresses refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { serveDist } from '../../scripts/serve-dist.mjs';

const parent = mkdtempSync(join(tmpdir(), 'clearance-serve-'));
const dir = join(parent, 'dist');
let server, port;

before(async () => {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'app_bg.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(dir, 'app.js'), 'export {};');
  writeFileSync(join(parent, 'secret.txt'), 'secret');
  server = await serveDist(dir);
  port = server.address().port;
});
after(() => server.close());

/** A raw request: the path is sent exactly as given (no client-side normalising). */
function get(path, method = 'GET') {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => ok({ status: res.statusCode, type: res.headers['content-type'], body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('files are served with their types', async () => {
  assert.equal((await get('/app_bg.wasm')).type, 'application/wasm');
  assert.match((await get('/app.js')).type, /^text\/javascript/);
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.body, /<title>app<\/title>/);
});

test('an address naming no file opens the app', async () => {
  for (const path of ['/who?user=rep_east_bob', '/requests/R7', '/sub', '/sub/']) {
    const answer = await get(path);
    assert.equal(answer.status, 200, path);
    assert.match(answer.body, /<title>app<\/title>/, path);
  }
});

test('nothing outside the directory is read', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
    const answer = await get(path);
    assert.doesNotMatch(answer.body, /secret/, path);
  }
});

test('malformed addresses are a 400 and other methods a 405, and the server keeps serving', async () => {
  assert.equal((await get('/%E0%A4%A')).status, 400);
  assert.equal((await get('/a%00b')).status, 400);
  assert.equal((await get('//')).status, 400);
  assert.equal((await get('/', 'POST')).status, 405);
  assert.equal((await get('/', 'HEAD')).status, 200);
  assert.equal((await get('/app.js')).status, 200);
});

const script = fileURLToPath(new URL('../../scripts/serve-dist.mjs', import.meta.url));

/** Runs the main command's server as `demo.sh` does; resolves with its first line of output and the process. */
function start(args) {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const done = (code) => ok({ child, out, code });
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) done(null);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', done);
    child.on('error', fail);
  });
}

test('run as demo.sh runs it: serves the built app, or says how to build it', async () => {
  const missing = await start([join(parent, 'nothing-here'), '0']);
  assert.equal(missing.code, 1);
  assert.match(missing.out, /build the app first/);
  const { child, out } = await start([dir, '0']);
  try {
    const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
    assert.ok(url, out);
    const answer = await fetch(url[0]);
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), /<title>app<\/title>/);
  } finally {
    child.kill();
  }
});
