// Decision events from the package: the same lines the native CLI writes
// with `check --log` for the same requests, from `check` and from the
// handle-based fast path alike, and readable by `clearance activity analyze`.
// The fast path's verdicts are check's, on every user × record × action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from 'clearance';
import { nativeBin } from './support.mjs';

const root = process.env.CLEARANCE_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const orgPath = join(root, 'examples/reference-org.json');
const recordsPath = join(root, 'examples/reference-records.json');
const org = readFileSync(orgPath, 'utf8');
const records = JSON.parse(readFileSync(recordsPath, 'utf8'));
const context = { mfa: true, ip: '10.1.2.3', time: '2026-11-30T02:00:00.000Z' };

/** Every user × record × (read, edit), plus edits naming a sensitive field. */
function requests(engine) {
  const users = JSON.parse(org).users.map((u) => u.id);
  const out = [];
  for (const user of users) {
    for (const r of records) {
      for (const action of ['read', 'edit']) out.push({ user, action, object: r.object, recordId: r.id, context });
    }
    out.push({ user, action: 'edit', object: 'Account', recordId: records[0].id, context, fields: ['annual_revenue'] });
  }
  return out;
}

function snake(request) {
  const { recordId, ...rest } = request;
  return { ...rest, record_id: recordId };
}

test('check records the same event lines as the CLI`s check --log', () => {
  const engine = Engine.fromJson(org);
  engine.loadRecords(records);
  engine.recordEvents(true);
  const list = requests(engine);
  for (const request of list) engine.check(request);
  const lines = engine.drainEventLines();
  assert.equal(lines.trim().split('\n').length, list.length);
  assert.equal(engine.drainEventLines(), '', 'a drain empties the buffer');

  const dir = mkdtempSync(join(tmpdir(), 'clearance-events-'));
  writeFileSync(join(dir, 'requests.jsonl'), list.map((r) => JSON.stringify(snake(r))).join('\n'));
  execFileSync(nativeBin(root), ['check', orgPath, '--records', recordsPath, '--requests', join(dir, 'requests.jsonl'), '--log', join(dir, 'cli.jsonl')]);
  assert.equal(lines, readFileSync(join(dir, 'cli.jsonl'), 'utf8'));
  engine.free();
});

test('the fast path records full events, rendered against the records it decided on', () => {
  const engine = Engine.fromJson(org);
  engine.loadRecords(records);
  const list = requests(engine).filter((r) => !r.fields);
  const ctx = engine.contextHandle(context);
  engine.recordEvents(true);
  for (const r of list) engine.check(r);
  const expected = engine.drainEvents();
  const users = Float64Array.from(list.map((r) => engine.userHandle(r.user)));
  const actions = Float64Array.from(list.map((r) => engine.actionHandle(r.action)));
  const handles = Float64Array.from(list.map((r) => engine.recordHandle(r.recordId)));
  const half = list.length >> 1;
  const verdicts = [];
  for (let i = 0; i < half; i++) verdicts.push(engine.allows(users[i], actions[i], handles[i], ctx) ? 1 : 0);
  verdicts.push(...engine.checkHandles(users.subarray(half), actions.subarray(half), handles.subarray(half), ctx));
  // The fast path is compiled apart from `check` (clearance-verdicts, at opt-level 3): same answers.
  assert.deepEqual(verdicts, expected.map((e) => (e.allowed ? 1 : 0)), 'allows and checkHandles answer as check does');
  // Freeing the context and replacing the records must not change what the pending events say.
  engine.freeContext(ctx);
  engine.loadRecords([]);
  const fast = engine.drainEvents();
  assert.deepEqual(fast, expected);
  assert.ok(fast.some((e) => e.allowed) && fast.some((e) => e.stage === 'no_record_access'));
  assert.ok(fast.some((e) => e.fields?.includes('annual_revenue')), 'reads list the sensitive fields they expose');
  engine.free();
});

test('the CLI analyses a log the package wrote', () => {
  const engine = Engine.fromJson(org);
  engine.loadRecords(records);
  engine.recordEvents(true);
  const list = requests(engine);
  for (const r of list) engine.check(r);
  const dir = mkdtempSync(join(tmpdir(), 'clearance-events-'));
  writeFileSync(join(dir, 'package.jsonl'), engine.drainEventLines() + 'not json\n');
  const report = JSON.parse(execFileSync(nativeBin(root), ['activity', 'analyze', join(dir, 'package.jsonl'), '--policy', orgPath, '--format', 'json']));
  assert.equal(report.events, list.length);
  assert.equal(report.skipped_count, 1);
  assert.equal(report.skipped[0].line, list.length + 1, 'a bad line is reported with its number');
  engine.free();
});

test('the plain path stamps events with the clock of their run of checks', async () => {
  const engine = Engine.fromJson(org);
  engine.loadRecords(records);
  engine.recordEvents(true);
  const plain = { user: 'rep_east_bob', action: 'read', object: 'Account', recordId: records[0].id };
  const before = Date.now();
  engine.check(plain);
  engine.isAllowed(plain);
  await new Promise((r) => setTimeout(r, 30));
  const later = Date.now();
  engine.check(plain);
  const times = engine.drainEvents().map((e) => Date.parse(e.time));
  assert.equal(times.length, 3);
  assert.ok(times[0] >= before && times[1] === times[0], `one run, one time: ${times}`);
  assert.ok(times[2] >= later, `a later run reads the clock again: ${times} (later ${later})`);
  engine.recordEvents(false);
  engine.check(plain);
  engine.recordEvents(true);
  assert.equal(engine.eventsPending, 0, 'not recording: nothing kept');
  engine.free();
});

test('recording is bounded, and off by default', () => {
  const engine = Engine.fromJson(org);
  engine.loadRecords(records);
  engine.check({ user: 'rep_east_bob', action: 'read', object: 'Account', recordId: records[0].id, context });
  assert.deepEqual(engine.drainEvents(), []);
  engine.recordEvents(true, 3);
  for (let i = 0; i < 5; i++) engine.check({ user: 'rep_east_bob', action: 'read', object: 'Account', recordId: records[0].id, context });
  assert.throws(() => engine.check({ user: 'rep_east_bob', action: 'read' }), (e) => e.code === 'missing_key');
  assert.throws(() => engine.checkMany([{ user: 'rep_east_bob', action: 'create', object: 'Account' }, { user: 3 }]), (e) => e.errors[0].path.startsWith('/1'));
  assert.equal(engine.eventsDropped, 2, 'an invalid request is no decision: not counted as dropped');
  engine.recordEvents(true, 3);
  assert.equal(engine.drainEvents().length, 3, 'starting again while recording keeps what waits');
  assert.equal(engine.eventsDropped, 2);
  engine.recordEvents(false);
  assert.equal(engine.eventsDropped, 0);
  engine.free();
});

test('events drain in parts, as text or bytes, each naming the revision of the bundle that decided it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearance-events-bundle-'));
  execFileSync(nativeBin(root), ['bundle', orgPath, '--unsigned', '--revision', '9', '-o', join(dir, 'policy.bundle')]);
  const engine = Engine.fromBundle(readFileSync(join(dir, 'policy.bundle')), null, { allowUnsigned: true });
  engine.loadRecords(records);
  engine.recordEvents(true);
  const request = { user: 'rep_east_bob', action: 'read', object: 'Account', recordId: records[0].id, context };
  for (let i = 0; i < 5; i++) engine.check(request);
  const user = engine.userHandle('rep_east_bob');
  engine.allows(user, engine.actionHandle('read'), engine.recordHandle(records[1].id), 0);
  assert.equal(engine.eventsPending, 6);

  const first = engine.drainEventLines(2);
  assert.equal(first.split('\n').length, 3, 'two lines, each ending in a newline');
  assert.equal(engine.eventsPending, 4);
  const bytes = engine.drainEventBytes(3);
  assert.ok(bytes instanceof Uint8Array);
  const middle = new TextDecoder().decode(bytes);
  const last = engine.drainEventLines();
  assert.equal(engine.eventsPending, 0);
  const events = (first + middle + last).trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(events.length, 6);
  assert.ok(events.every((e) => e.revision === 9), 'every event names revision 9');
  assert.deepEqual(events.map((e) => e.record), [...Array(5).fill(records[0].id), records[1].id], 'oldest first, the fast path`s too');

  for (const most of [0, -1, 1.5, '2', 1e7]) {
    assert.throws(() => engine.drainEventLines(most), (e) => e.code === 'bad_value' && e.errors[0].path === '/most', String(most));
    assert.throws(() => engine.drainEventWire(most), (e) => e.code === 'bad_value' && e.errors[0].path === '/most', String(most));
  }
  // As bytes to ship: the format's name and version, revision 9, the count, then the events
  // (a fraction of their lines' size: the server writes the lines).
  for (let i = 0; i < 3; i++) engine.check(request);
  const wire = engine.drainEventWire(2);
  assert.deepEqual([...wire.subarray(0, 7)], [...new TextEncoder().encode('CLEV'), 1, 9, 2]);
  assert.equal(engine.eventsPending, 1);
  assert.ok(wire.length - 7 < first.length / 3, `${wire.length - 7} bytes for two events, against ${first.length} as lines`);
  assert.deepEqual([...engine.drainEventWire().subarray(5, 7)], [9, 1]);
  assert.deepEqual([...engine.drainEventWire().subarray(5, 7)], [9, 0], 'nothing waits: an empty batch');
  engine.free();
  const compiled = Engine.fromJson(org);
  compiled.loadRecords(records);
  compiled.recordEvents(true);
  compiled.check(request);
  assert.throws(() => compiled.drainEventWire(), (e) => e.code === 'bad_bundle', 'no revision: no one could read the bytes');
  assert.equal(JSON.parse(compiled.drainEventLines()).revision, undefined, 'a compiled engine has no revision to name');
  compiled.free();
});
