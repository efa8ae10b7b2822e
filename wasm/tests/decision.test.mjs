// `check` answers a plain request (user, action, object, recordId) with
// numbers the package turns into the decision (wasm/npm/decision.js); every
// other request, and `checkMany`, is answered as JSON. The two must be the
// same object, key for key and in the same order, on every user × record ×
// action of orgs that reach every reason kind, recipient kind and stage the
// numbers carry, and fall back to JSON (recording one event, not two) where
// they carry nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from 'clearance';

const root = process.env.CLEARANCE_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path) => readFileSync(join(root, path), 'utf8');

/** Every plain request of `engine`'s users on `records`, with each action of the policy. */
function plainRequests(policy, records) {
  const actions = ['read', 'edit', 'delete', 'transfer', 'share', 'export', ...Object.keys(policy.actions ?? {})];
  const users = [...policy.users.map((u) => u.id), 'nobody'];
  return users.flatMap((user) => records.flatMap((r) => actions.map((action) => ({ user, action, object: r.object, recordId: r.id }))));
}

/** The reference org's policy and records, and an engine holding them. */
function reference() {
  const policy = JSON.parse(read('examples/reference-org.json'));
  const records = JSON.parse(read('examples/reference-records.json'));
  const engine = Engine.fromJson(policy);
  engine.loadRecords(records);
  return { policy, records, engine };
}

/** Both answers of each request: `check` (the numbers) and `checkMany` (JSON), as JSON text. */
function agree(engine, requests) {
  let compared = 0;
  for (const request of requests) {
    let fast;
    try {
      fast = engine.check(request);
    } catch (error) {
      assert.throws(() => engine.checkMany([request]), (e) => e.code === error.code, `${JSON.stringify(request)}: ${error.code} from both`);
      continue;
    }
    const [slow] = engine.checkMany([request]);
    assert.equal(JSON.stringify(fast), JSON.stringify(slow), JSON.stringify(request));
    compared += 1;
  }
  return compared;
}

for (const [name, policyPath, recordsPath] of [
  ['the reference org', 'examples/reference-org.json', 'examples/reference-records.json'],
  ['the branch org', 'tests/orgs/branch-org.json', 'tests/orgs/branch-records.json'],
]) {
  test(`check's numbers and checkMany's JSON give the same decision on ${name}`, () => {
    const policy = JSON.parse(read(policyPath));
    const records = JSON.parse(read(recordsPath));
    const engine = Engine.fromJson(policy);
    engine.loadRecords(records);
    const requests = plainRequests(policy, Array.isArray(records) ? records : records.records);
    const compared = agree(engine, requests);
    assert.ok(compared > requests.length / 2, `${compared} of ${requests.length} requests decided`);
    engine.free();
  });
}

test('every reason kind, recipient kind and stage the numbers carry reaches the comparison', () => {
  const { policy, records, engine } = reference();
  const seen = new Set();
  for (const request of plainRequests(policy, records)) {
    try {
      const decision = engine.check(request);
      for (const reason of decision.reasons) seen.add(reason.kind + (reason.with ? `:${Object.keys(reason.with)[0]}` : ''));
      if (decision.stage) seen.add(decision.stage);
    } catch {
      // unknown actions of an object: compared above
    }
  }
  for (const kind of ['owner', 'scope', 'hierarchy', 'sharing_rule', 'team', 'manual_share:user', 'parent', 'unknown_user', 'inactive_user', 'mfa_required', 'no_privilege', 'no_record_access']) {
    assert.ok(seen.has(kind), `the reference org's plain requests reach \`${kind}\` (seen: ${[...seen].join(', ')})`);
  }
  engine.free();
});

test('a plain check records one event, whether answered by numbers or by JSON', () => {
  const { policy, records, engine } = reference();
  engine.recordEvents(true);
  const requests = plainRequests(policy, records).filter((r) => r.user !== 'nobody' && r.action === 'read');
  for (const request of requests) engine.check(request);
  const events = engine.drainEvents();
  assert.equal(events.length, requests.length);
  assert.deepEqual(events.map((e) => [e.user, e.record]), requests.map((r) => [r.user, r.recordId]));
  engine.free();
});
