// Freshness (issue 18): from "apply" on the server to every watching edge
// enforcing it. 50 `Watcher`s (one edge token each, in this Node process)
// long-poll the server; each round applies a change and times, per
// watcher, the moment it swapped to the new revision. Reported, not asserted.
//
//   node bench/server/freshness.mjs URL KEY.pub PROPOSER APPROVER PASSWORD [WATCHERS] [ROUNDS] [RECORDS.jsonl]
//   (scripts/bench-server.sh --freshness starts the server on the generated 10,000-user org and runs this)
import { readFileSync } from 'node:fs';
import { Watcher } from '../../wasm/pkg/node.mjs';

const [url, keyFile, proposer, approver, password, n = '50', rounds = '5', recordsFile] = process.argv.slice(2);
if (!password) throw new Error('usage: node freshness.mjs URL KEY.pub PROPOSER APPROVER PASSWORD [WATCHERS] [ROUNDS] [RECORDS.jsonl]');
const keys = readFileSync(keyFile, 'utf8').trim();
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

async function signIn(user) {
  for (;;) {
    const response = await fetch(`${url}/v1/session`, { method: 'POST', body: JSON.stringify({ user, password }) });
    if (response.status === 429) { await new Promise((r) => setTimeout(r, 6000)); continue; }
    if (response.status !== 200) throw new Error(`${user}: ${response.status} ${await response.text()}`);
    const { csrf } = await response.json();
    const cookie = response.headers.get('set-cookie').split(';')[0];
    return async (path, body) => {
      const sent = await fetch(`${url}${path}`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf }, body: JSON.stringify(body) });
      if (sent.status >= 300) throw new Error(`${path}: ${sent.status} ${await sent.text()}`);
      return sent.json();
    };
  }
}

const author = await signIn(proposer);
const reviewer = await signIn(approver);
const swapped = new Map();
const watchers = [];
for (let i = 0; i < Number(n); i++) {
  const { token } = await author('/v1/tokens', { name: `edge-${i}`, scopes: ['edge'], expires_in_days: 1 });
  const watcher = new Watcher({ url, token, keys, wait: 25, onSwap: ({ to }) => swapped.get(to)?.push(performance.now()) });
  watchers.push(watcher);
}
await Promise.all(watchers.map((w) => w.start()));
const delays = [];
for (let round = 0; round < Number(rounds); round++) {
  const role = round % 2 === 0 ? 'role_2' : 'role_3';
  const { id } = await author('/v1/requests', { changes: [{ op: 'move_user', user: proposer, role }], comment: 'freshness' });
  await reviewer(`/v1/requests/${id}/approve`, {});
  const target = watchers[0].revision + 1;
  swapped.set(target, []);
  const t0 = performance.now();
  await reviewer(`/v1/requests/${id}/apply`, {});
  const applied = performance.now() - t0;
  while (swapped.get(target).length < watchers.length) await new Promise((r) => setTimeout(r, 5));
  const times = swapped.get(target).map((t) => t - t0);
  if (process.env.FRESHNESS_DEBUG) console.error(`apply answered after ${applied.toFixed(0)} ms; swaps from ${Math.min(...times).toFixed(0)} to ${Math.max(...times).toFixed(0)} ms`);
  delays.push(...swapped.get(target).map((t) => t - t0));
}
for (const w of watchers.slice(1)) w.free();
const [watcher] = watchers;

// A swap under load: the event loop's longest stall while the watcher swaps
// the 10k-user bundle in (a request arriving then waits that long), against
// the same load without swaps.
const { monitorEventLoopDelay } = await import('node:perf_hooks');
const request = { user: proposer, action: 'create', object: 'Account' };
async function stalls(applies) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const load = setInterval(() => { for (let i = 0; i < 100; i++) watcher.isAllowed(request); }, 1);
  histogram.enable();
  for (let round = 0; round < applies; round++) {
    const { id } = await author('/v1/requests', { changes: [{ op: 'move_user', user: proposer, role: round % 2 === 0 ? 'role_2' : 'role_3' }], comment: 'swap' });
    await reviewer(`/v1/requests/${id}/approve`, {});
    const target = watcher.revision + 1;
    await reviewer(`/v1/requests/${id}/apply`, {});
    while (watcher.revision < target) await new Promise((r) => setTimeout(r, 5));
  }
  if (applies === 0) await new Promise((r) => setTimeout(r, 2000));
  histogram.disable();
  clearInterval(load);
  return [histogram.percentile(99) / 1e6, histogram.max / 1e6];
}
const [quiet99, quietMax] = await stalls(0);
const [swap99, swapMax] = await stalls(5);

// Event shipping: checks per second of a watcher recording and shipping its
// decisions (every 500 ms, and at the end of each burst: the cost is the
// shipper's), against one that does not, in alternating short bursts (the
// median of many rounds: the shared machine's drift cancels). Once to the
// server, once to a `fetch` that answers /v1/events itself: the edge's own
// cost, without the server ingesting on the same two cores. Two checks: a
// `create` (no record: the request crosses as an object, ≈ 27 µs) and, with
// RECORDS, a `read` of a loaded record by its id (the package's fast path,
// ≈ 5 µs, what an edge guarding record pages mostly asks), where an event's
// fixed cost weighs five times as much.
const nowhere = async (target, init) => (target.endsWith('/v1/events') ? new Response('{"accepted":0}', { status: 200 }) : fetch(target, init));
const records = recordsFile ? readFileSync(recordsFile, 'utf8') : undefined;
async function edgeWatcher(events, fetcher) {
  const { token } = await author('/v1/tokens', { name: 'rate', scopes: ['edge'], expires_in_days: 1 });
  const w = new Watcher({ url, token, keys, records, ...(fetcher ? { fetch: fetcher } : {}), events: events && { flushMs: 500 } });
  await w.start();
  return w;
}
// A burst's checks per second, twice: `served` stops the clock once the
// burst's last events are drained (the drain is main-thread work and on the
// clock; their gzip, on libuv's pool, and their POST then complete off it, as
// on an edge that goes on serving while they do), `awaited` once that
// flush has completed (the idle wait included: the method before
// 2026-12-07). Either way the flush ends before the next burst begins.
const [BURST_MS, PAIRS] = [250, 80];
async function burst(w, shipping, asked) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < t0 + BURST_MS) {
    for (let i = 0; i < 1000; i++) w.check(asked);
    n += 1000;
    await new Promise((r) => setImmediate(r));
  }
  const flushed = shipping ? w.flushEvents() : null;
  const served = (n / (performance.now() - t0)) * 1000;
  await flushed;
  return { served, awaited: (n / (performance.now() - t0)) * 1000 };
}
const [plainEdge, shipping, shippingNowhere] = [await edgeWatcher(false), await edgeWatcher(true), await edgeWatcher(true, nowhere)];
const cost = (ratios) => `${((1 - quantile(ratios, 0.5)) * 100).toFixed(1)} %`;
/** The shipping cost's table row for one check. */
async function shippingCost(label, asked) {
  const [shipRatios, nowhereRatios, plainRates, shipAwaited, nowhereAwaited] = [[], [], [], [], []];
  for (let i = 0; i < PAIRS; i++) {
    // The order turns each round, so neither side is always the one after a flush.
    const first = i % 2 === 0 ? (await burst(plainEdge, false, asked)).served : null;
    const [ship, alone] = [await burst(shipping, true, asked), await burst(shippingNowhere, true, asked)];
    const plain = first ?? (await burst(plainEdge, false, asked)).served;
    plainRates.push(plain);
    shipRatios.push(ship.served / plain);
    nowhereRatios.push(alone.served / plain);
    shipAwaited.push(ship.awaited / plain);
    nowhereAwaited.push(alone.awaited / plain);
  }
  return `| checks per second lost to recording and shipping events, ${label} (every 500 ms, gzip; median of ${PAIRS} rounds of ${BURST_MS} ms bursts) | ${cost(shipRatios)} | fewer | to the server on the same cores; ${cost(nowhereRatios)} with a fetch that answers itself (the edge alone); with each burst's last flush awaited on the clock: ${cost(shipAwaited)} and ${cost(nowhereAwaited)}; without: ${Math.round(quantile(plainRates, 0.5))} checks/s |`;
}
const rows = [await shippingCost('`create`', request)];
if (records) {
  const first = JSON.parse(records.slice(0, records.indexOf('\n')));
  rows.push(await shippingCost('`read` of a record by id', { user: proposer, action: 'read', object: first.object, recordId: first.id }));
}
for (const w of [plainEdge, shipping, shippingNowhere]) w.free();
watcher.free();
console.log(`| a swap of the 10k-user bundle under load: the event loop's longest stall (5 swaps) | ${swapMax.toFixed(1)} | ms | p99 ${swap99.toFixed(1)} ms; the same load without swaps: p99 ${quiet99.toFixed(1)} ms, max ${quietMax.toFixed(1)} ms |`);
for (const row of rows) console.log(row);
console.log(`| apply → all ${n} watching Node engines enforce it (${rounds} applies, ${delays.length} swaps) | ${quantile(delays, 0.99).toFixed(0)} | ms p99 | p50 ${quantile(delays, 0.5).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms (from sending the apply) |`);
