// Freshness (issue 18): from "apply" on the server to every watching edge
// enforcing it. 50 `Watcher`s (one edge token each, in this Node process)
// long-poll the server; each round applies a change and times, per
// watcher, the moment it swapped to the new revision. Reported, not asserted.
//
//   node bench/server/freshness.mjs URL KEY.pub PROPOSER APPROVER PASSWORD [WATCHERS] [ROUNDS]
//   (scripts/bench-server.sh --freshness starts the server on the generated 10,000-user org and runs this)
import { readFileSync } from 'node:fs';
import { Watcher } from '../../wasm/pkg/node.mjs';

const [url, keyFile, proposer, approver, password, n = '50', rounds = '5'] = process.argv.slice(2);
if (!password) throw new Error('usage: node freshness.mjs URL KEY.pub PROPOSER APPROVER PASSWORD [WATCHERS] [ROUNDS]');
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
for (const w of watchers) w.free();
console.log(`| apply → all ${n} watching Node engines enforce it (${rounds} applies, ${delays.length} swaps) | ${quantile(delays, 0.99).toFixed(0)} | ms p99 | p50 ${quantile(delays, 0.5).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms (from sending the apply) |`);
