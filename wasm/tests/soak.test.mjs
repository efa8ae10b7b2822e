// Memory stays flat under long use: 10^5 engines made and freed, 10^5
// contexts interned and freed, and every table that grows with calls has a
// default bound (contexts, pending decision events). Memory is the
// WebAssembly instance's own (pages never shrink, so any growth shows);
// nothing here reads a clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine } from 'clearance';
import { initSync } from 'clearance/web';

// The package initialised itself on import; this returns the same instance's exports.
const wasm = initSync({ module: readFileSync(new URL(import.meta.resolve('clearance/clearance_bg.wasm'))) });
const bytes = () => wasm.memory.buffer.byteLength;
const PAGE = 65536;

const policy = JSON.stringify({
  roles: [{ id: 'boss' }, { id: 'rep', parent: 'boss' }],
  users: [{ id: 'ann', role: 'boss', profile: 'p' }, { id: 'bob', role: 'rep', profile: 'p' }],
  schema: { objects: { Account: { fields: { name: { type: 'string' } } } } },
  bundles: { profiles: { p: { objects: { Account: { read: 'own' } } } } },
});
const records = [{ id: 'a1', object: 'Account', owner: 'bob' }, { id: 'a2', object: 'Account', owner: 'ann' }];

test('10^5 engines made and freed leave memory where it was', () => {
  const cycle = () => {
    const engine = Engine.fromJson(policy);
    engine.loadRecords(records);
    assert.equal(engine.allows(engine.userHandle('bob'), engine.actionHandle('read'), engine.recordHandle('a1'), 0), true);
    engine.free();
  };
  for (let i = 0; i < 10_000; i++) cycle();
  const warm = bytes();
  for (let i = 0; i < 90_000; i++) cycle();
  assert.ok(bytes() <= warm + PAGE, `memory grew from ${warm} to ${bytes()} bytes`);
});

test('10^5 contexts interned and freed leave memory where it was; unfreed ones are bounded', () => {
  const engine = Engine.fromJson(policy);
  engine.loadRecords(records);
  const [u, a, r] = [engine.userHandle('bob'), engine.actionHandle('read'), engine.recordHandle('a1')];
  const cycle = (i) => {
    const c = engine.contextHandle({ ip: `10.0.${i & 255}.1`, time: '2026-12-01T09:00:00Z' });
    assert.equal(engine.allows(u, a, r, c), true);
    engine.freeContext(c);
  };
  for (let i = 0; i < 10_000; i++) cycle(i);
  const warm = bytes();
  for (let i = 0; i < 90_000; i++) cycle(i);
  assert.ok(bytes() <= warm + PAGE, `memory grew from ${warm} to ${bytes()} bytes`);
  // A handle per request never freed: refused at the bound, not grown forever.
  const kept = [];
  let refused;
  for (let i = 0; i < 10_000 && !refused; i++) {
    try {
      kept.push(engine.contextHandle({ ip: '10.0.0.1' }));
    } catch (error) {
      refused = error;
    }
  }
  assert.equal(refused?.code, 'too_many_contexts');
  assert.equal(kept.length, 4096);
  engine.freeContext(kept.pop());
  assert.ok(engine.contextHandle({}) > 0, 'freeing makes room');
  engine.free();
});

test('recording without a limit keeps at most 100,000 events between drains', () => {
  const engine = Engine.fromJson(policy);
  engine.loadRecords(records);
  const [u, a, r] = [engine.userHandle('bob'), engine.actionHandle('read'), engine.recordHandle('a1')];
  engine.recordEvents(true);
  for (let i = 0; i < 150_000; i++) engine.allows(u, a, r, 0);
  assert.equal(engine.eventsDropped, 50_000);
  assert.equal(engine.drainEventLines().trimEnd().split('\n').length, 100_000);
  engine.free();
});
