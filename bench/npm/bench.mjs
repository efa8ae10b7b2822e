// The npm package's benchmark (Node): cold start from a signed bundle, the
// check paths (objects, handles, arrays), filter per user, on the generated
// org (10,000 users; records from `clearance generate`). Comparisons with
// hand-written JavaScript and the peers, on a workload they all express, are
// in bench/npm/peers.mjs.
//
//   node --expose-gc bench/npm/bench.mjs DIR      (DIR from `clearance generate` + `clearance bundle`;
//   with DIR/edge.bundle from `clearance bundle --without-policy`, that one is timed too)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../wasm/pkg/node.mjs';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench.mjs DIR (policy.json, policy.bundle, key.pub, records.jsonl)');
const ms = (f) => { const t = performance.now(); const v = f(); return [performance.now() - t, v]; };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, value, unit, note = '') => console.log(`| ${name} | ${value} | ${unit} | ${note} |`);

const policyText = readFileSync(join(dir, 'policy.json'), 'utf8');
const bundle = readFileSync(join(dir, 'policy.bundle'));
const key = readFileSync(join(dir, 'key.pub'), 'utf8').trim();

console.log('| measure | value | unit | note |\n|---|---|---|---|');
// Cold start: the first call in the process (includes compiling the wasm's code), then warm medians.
const [first] = ms(() => Engine.fromBundle(bundle, key).free());
const bundleTimes = Array.from({ length: 15 }, () => ms(() => Engine.fromBundle(bundle, key).free())[0]);
const jsonTimes = Array.from({ length: 5 }, () => ms(() => Engine.fromJson(policyText).free())[0]);
row('Engine.fromBundle, first call in the process', first.toFixed(2), 'ms');
row('Engine.fromBundle, median of 15', median(bundleTimes).toFixed(2), 'ms', `bundle ${bundle.length} bytes`);
if (existsSync(join(dir, 'edge.bundle'))) {
  const edge = readFileSync(join(dir, 'edge.bundle'));
  const edgeTimes = Array.from({ length: 15 }, () => ms(() => Engine.fromBundle(edge, key).free())[0]);
  row('Engine.fromBundle, edge bundle (without the policy), median of 15', median(edgeTimes).toFixed(2), 'ms', `bundle ${edge.length} bytes`);
}
row('Engine.fromJson, median of 5 (baseline)', median(jsonTimes).toFixed(2), 'ms', `bundle is ${(median(jsonTimes) / median(bundleTimes)).toFixed(1)}× faster`);

const engine = Engine.fromBundle(bundle, key);
const [loadMs, count] = ms(() => engine.loadRecords(readFileSync(join(dir, 'records.jsonl'), 'utf8')));
row('loadRecords (JSON Lines text)', (loadMs / 1000).toFixed(2), 's', `${count} records`);

// Random requests over the whole org and dataset (every object type).
const N = 200_000;
const read = engine.actionHandle('read');
// mulberry32: deterministic and well spread (an LCG's low bits would repeat and flatter the cache).
let seed = 12345;
const rand = (n) => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
};
// Handles are tied to their engine and records: made from the ids, once.
const userIds = JSON.parse(policyText).users.map((u) => u.id);
const lines = readFileSync(join(dir, 'records.jsonl'), 'utf8').split('\n').filter(Boolean);
const userHandles = userIds.map((id) => engine.userHandle(id));
const recordHandles = lines.map((line) => engine.recordHandle(/"id":"([^"]*)"/.exec(line)[1]));
const users = new Float64Array(N), actions = new Float64Array(N).fill(read), records = new Float64Array(N);
for (let i = 0; i < N; i++) { users[i] = userHandles[rand(userHandles.length)]; records[i] = recordHandles[rand(recordHandles.length)]; }

// checkHandles: one boundary crossing for N checks. Two untimed calls first:
// V8 runs new wasm code on its baseline tier until it is hot, and a server
// checking requests runs warm code (the cold start is the rows above).
for (let i = 0; i < 2; i++) engine.checkHandles(users, actions, records, 0);
const batch = Array.from({ length: 5 }, () => ms(() => engine.checkHandles(users, actions, records, 0))[0]);
row('checkHandles (arrays of handles)', ((N / median(batch)) * 1000 / 1e6).toFixed(2), 'M checks/s', 'random user × record, all objects');
// The way lists are checked: one user, a page of 1,000 consecutive records, 200 pages.
const pageUsers = new Float64Array(N), pageRecords = new Float64Array(N);
for (let i = 0; i < N; i++) {
  pageUsers[i] = userHandles[Math.floor(i / 1000) * 37 % userHandles.length];
  pageRecords[i] = recordHandles[(Math.floor(i / 1000) * 5003 + (i % 1000)) % recordHandles.length];
}
const pages = Array.from({ length: 5 }, () => ms(() => engine.checkHandles(pageUsers, actions, pageRecords, 0))[0]);
row('checkHandles, pages (one user × 1,000 consecutive records)', ((N / median(pages)) * 1000 / 1e6).toFixed(2), 'M checks/s', '200 pages');

// allows: one crossing per check; p50 over 1,000-call batches (timer resolution).
const per = [];
for (let b = 0; b < 200; b++) {
  const base = (b * 1000) % (N - 1000);
  const t = performance.now();
  for (let i = base; i < base + 1000; i++) engine.allows(users[i], read, records[i], 0);
  per.push(((performance.now() - t) * 1000) / 1000);
}
row('allows(user, action, record, context) p50', median(per).toFixed(3), 'µs per check', 'handles: no strings, no objects');

// Recording decision events (issue 7): the same calls with recording off and
// on, interleaved batch by batch so both see the same machine state; the
// events are discarded between pairs (draining is timed separately below).
// 5,000 calls a sample: long enough for the timer, short enough to pair tightly.
const timedAllows = (base, context) => {
  const t = performance.now();
  for (let i = base; i < base + 5000; i++) engine.allows(users[i], read, records[i], context);
  return ((performance.now() - t) * 1000) / 5000;
};
const off = [], on = [], offBatch = [], onBatch = [];
const slice = 20_000;
for (let b = 0; b < 400; b++) {
  // Both runs check the same pairs, so the second finds them in cache:
  // alternate which goes first.
  const base = (b * 5000) % (N - 5000);
  const order = b % 2 === 0 ? [false, true] : [true, false];
  for (const recording of order) {
    engine.recordEvents(recording);
    (recording ? on : off).push(timedAllows(base, 0));
  }
  engine.recordEvents(false); // discard: rendering here would leave garbage for the next sample to collect
  {
    const from = b * slice % (N - slice);
    const [u, a, r] = [users.subarray(from, from + slice), actions.subarray(from, from + slice), records.subarray(from, from + slice)];
    for (const recording of b % 2 === 0 ? [false, true] : [true, false]) {
      engine.recordEvents(recording);
      (recording ? onBatch : offBatch).push(ms(() => engine.checkHandles(u, a, r, 0))[0]);
    }
    engine.recordEvents(false); // discard: rendering here would leave garbage for the next sample to collect
  }
}
// Pairs are measured back to back, off first in even pairs and on first in
// odd ones. The second run of a pair finds the records in cache, so the two
// orders' ratios form two clusters, and a median over both lands anywhere
// between them (0 to 60 % from run to run). The geometric mean of the two
// orders' medians cancels the order: sqrt(on2/off1 · on1/off2).
const slower = (off, on) => {
  const ratios = on.map((t, i) => t / off[i]);
  const ofOrder = (parity) => median(ratios.filter((_, i) => i % 2 === parity));
  return `${((Math.sqrt(ofOrder(0) * ofOrder(1)) - 1) * 100).toFixed(1)} % slower with recording (${on.length} pairs: geometric mean of each order's median ratio)`;
};
row('allows p50, recording off', median(off).toFixed(3), 'µs per check', '400 samples of 5,000 calls, interleaved with the next row');
row('allows p50, recording on', median(on).toFixed(3), 'µs per check', slower(off, on));
// With a context handle whose context carries `time`, recording needs no clock read.
const timedCtx = engine.contextHandle({ time: '2026-11-30T09:00:00Z' });
const offTimed = [], onTimed = [];
for (let b = 0; b < 200; b++) {
  const base = (b * 5000) % (N - 5000);
  for (const recording of b % 2 === 0 ? [false, true] : [true, false]) {
    engine.recordEvents(recording);
    (recording ? onTimed : offTimed).push(timedAllows(base, timedCtx));
  }
  engine.recordEvents(false); // discard: rendering here would leave garbage for the next sample to collect
}
row('allows p50, context with `time`, recording on', median(onTimed).toFixed(3), 'µs per check', slower(offTimed, onTimed));
row('checkHandles, recording off', ((slice / median(offBatch)) * 1000 / 1e6).toFixed(2), 'M checks/s', '20,000 random checks per call');
row('checkHandles, recording on', ((slice / median(onBatch)) * 1000 / 1e6).toFixed(2), 'M checks/s', slower(offBatch, onBatch));
engine.recordEvents(true);
engine.checkHandles(users.subarray(0, 100_000), actions.subarray(0, 100_000), records.subarray(0, 100_000), 0);
const [drainMs, drained] = ms(() => engine.drainEventLines());
row('drainEventLines, 100,000 fast-path events', drainMs.toFixed(0), 'ms', `${(drainMs * 1000 / 100_000).toFixed(2)} µs per event rendered (full decision + JSON), ${(drained.length / 1e6).toFixed(1)} MB`);
engine.recordEvents(false);

// check with request objects: what a caller pays for the full decision with reasons.
const sample = Array.from({ length: 5000 }, () => JSON.parse(lines[rand(lines.length)]));
const requests = sample.map((r) => ({ user: userIds[rand(userIds.length)], action: 'read', object: r.object, recordId: r.id }));
const [objMs] = ms(() => { for (const r of requests) engine.check(r); });
row('check(request object) → decision object', ((objMs * 1000) / requests.length).toFixed(2), 'µs per check', 'full decision with reasons and message');
const objOff = [], objOn = [];
for (let k = 0; k < 20; k++) {
  for (const recording of k % 2 === 0 ? [false, true] : [true, false]) {
    engine.recordEvents(recording);
    (recording ? objOn : objOff).push(ms(() => { for (const r of requests) engine.check(r); })[0]);
  }
  engine.recordEvents(false); // discard: rendering here would leave garbage for the next sample to collect
}
engine.recordEvents(false);
row('check(request object), recording on', ((median(objOn) * 1000) / requests.length).toFixed(2), 'µs per check', slower(objOff, objOn));

// The natural API's other paths (issue 16): p50 over batches of 100 calls.
const p50 = (f, n = requests.length) => {
  const samples = [];
  for (let b = 0; b + 100 <= n; b += 100) {
    const t = performance.now();
    for (let i = b; i < b + 100; i++) f(i);
    samples.push(((performance.now() - t) * 1000) / 100);
  }
  return median(samples);
};
for (let k = 0; k < 2; k++) p50((i) => engine.check(requests[i]));
row('check(request object) p50', p50((i) => engine.check(requests[i])).toFixed(2), 'µs per check', 'full decision with reasons and message; target ≤ 2');
for (let k = 0; k < 2; k++) p50((i) => engine.isAllowed(requests[i]));
row('isAllowed(request object) p50', p50((i) => engine.isAllowed(requests[i])).toFixed(3), 'µs per check', 'verdict only; target ≤ 1');
const createObject = engine.objectHandle('Account');
row('allowsCreate(user, object, context) p50', p50((i) => engine.allowsCreate(users[i], createObject, 0), 100_000).toFixed(3), 'µs per check', 'create on the handle path; compare allows above');
const many = (n) => Array.from({ length: n }, (_, i) => requests[i % requests.length]);
const [many10] = ms(() => engine.checkMany(many(10_000)));
const [many100] = ms(() => engine.checkMany(many(100_000)));
row('checkMany, 10,000 requests', many10.toFixed(0), 'ms', `100,000: ${many100.toFixed(0)} ms (${(many100 / many10).toFixed(1)}× for 10× the requests)`);

// filter over the Accounts of one user (bench/npm/peers.mjs compares it with a scan that agrees with it).
const filterTimes = [];
for (let i = 0; i < 20; i++) filterTimes.push(ms(() => engine.filter({ user: userIds[(i * 131) % userIds.length], action: 'read', object: 'Account' }))[0]);
row('filter, Accounts of one user, median of 20', median(filterTimes).toFixed(2), 'ms', `${engine.recordCount} records resident`);
// loadRecords given a JavaScript array of the same records, against the
// JSON Lines text above: time, and the process's RSS growth while loading.
{
  const array = lines.map((line) => JSON.parse(line));
  const fresh = Engine.fromBundle(bundle, key);
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const [arrayMs, loaded] = ms(() => fresh.loadRecords(array));
  const grew = (process.memoryUsage().rss - before) / 1e6;
  row('loadRecords (array of objects)', (arrayMs / 1000).toFixed(2), 's', `${loaded} records, ${(arrayMs / loadMs).toFixed(2)}× the JSON Lines time, RSS +${grew.toFixed(0)} MB (targets ≤ 2×, ≤ 200 MB)`);
  fresh.free();
}
console.log(`\n(rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB)`);

