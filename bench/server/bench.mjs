// The control plane's benchmark (issue 17), against a running
// `clearance-server` over real HTTP on loopback: sign-in (Argon2id), 1,000
// concurrent reads of the request list (with /healthz under the same load
// as the baseline: the HTTP stack without the database), a change request's
// propose → approve → apply, and the server's resident memory.
//
//   node bench/server/bench.mjs URL PID PROPOSER APPROVER PASSWORD
//   (scripts/bench-server.sh starts the server on the generated 10,000-user org and runs this)
import { readFileSync } from 'node:fs';

const [url, pid, proposer, approver, password] = process.argv.slice(2);
if (!password) throw new Error('usage: node bench.mjs URL PID PROPOSER APPROVER PASSWORD');
const row = (name, value, unit, note = '') => console.log(`| ${name} | ${value} | ${unit} | ${note} |`);
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function signIn(user) {
  const t = performance.now();
  const response = await fetch(`${url}/v1/session`, { method: 'POST', body: JSON.stringify({ user, password }) });
  const ms = performance.now() - t;
  if (response.status !== 200) throw new Error(`${user}: ${response.status} ${await response.text()}`);
  const { csrf } = await response.json();
  const cookie = response.headers.get('set-cookie').split(';')[0];
  return { ms, headers: { cookie, 'x-csrf-token': csrf } };
}

async function timed(path, init = {}) {
  const t = performance.now();
  const response = await fetch(`${url}${path}`, init);
  const body = await response.text();
  const ms = performance.now() - t;
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${body}`);
  return [ms, body];
}

console.log('| measure | value | unit | note |\n|---|---|---|---|');
const rssStart = rss();
const signIns = [];
// Eight samples: with the two sessions below, the ten attempts an address may make at once.
for (let i = 0; i < 8; i++) signIns.push((await signIn(proposer)).ms);
row('sign-in (POST /v1/session, Argon2id m=19 MiB t=2 p=1)', quantile(signIns, 0.5).toFixed(1), 'ms p50', `max ${Math.max(...signIns).toFixed(1)} ms over 8`);

const author = await signIn(proposer);
const reviewer = await signIn(approver);
// Twenty requests in the list, as a team's queue might hold.
for (let i = 0; i < 20; i++) {
  await timed('/v1/requests', { method: 'POST', headers: author.headers, body: JSON.stringify({ changes: [], comment: `queue ${i}` }) });
}

async function burst(path, headers, n = 1000) {
  const times = await Promise.all(Array.from({ length: n }, () => timed(path, { headers }).then(([ms]) => ms)));
  return times;
}
for (let k = 0; k < 2; k++) await burst('/healthz', {});
const health = await burst('/healthz', {});
await burst('/v1/requests', reviewer.headers);
const reads = await burst('/v1/requests', reviewer.headers);
const rssAfterReads = rss();
row('1,000 concurrent GET /v1/requests (20 requests listed)', quantile(reads, 0.99).toFixed(1), 'ms p99', `p50 ${quantile(reads, 0.5).toFixed(1)} ms; /healthz under the same load: p99 ${quantile(health, 0.99).toFixed(1)} ms (${(quantile(reads, 0.99) / quantile(health, 0.99)).toFixed(1)}×)`);

const cycles = [];
for (let i = 0; i < 5; i++) {
  const role = i % 2 === 0 ? 'role_2' : 'role_3';
  const changes = [{ op: 'move_user', user: 'user_1', role }];
  const [propose, body] = await timed('/v1/requests', { method: 'POST', headers: author.headers, body: JSON.stringify({ changes, comment: 'bench' }) });
  const { id } = JSON.parse(body);
  const [approve] = await timed(`/v1/requests/${id}/approve`, { method: 'POST', headers: reviewer.headers, body: '{}' });
  const [apply] = await timed(`/v1/requests/${id}/apply`, { method: 'POST', headers: reviewer.headers, body: '{}' });
  cycles.push([propose, approve, apply]);
}
const total = cycles.map(([a, b, c]) => a + b + c);
const median = quantile(total, 0.5);
const parts = [0, 1, 2].map((k) => quantile(cycles.map((c) => c[k]), 0.5).toFixed(0));
row('propose → approve → apply (move_user on the 10k-user org)', median.toFixed(0), 'ms (sum of the three, median of 5)', `propose ${parts[0]} / approve ${parts[1]} / apply ${parts[2]} ms`);
row('server resident memory, 10k-user org loaded', rss().toFixed(0), 'MB', `at start ${rssStart.toFixed(0)} MB, after the 1,000 reads ${rssAfterReads.toFixed(0)} MB`);
