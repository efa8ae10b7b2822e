// A CRM API that returns only what the caller may see. Who calls is a
// signed session token (a JWT your identity provider issues, verified here
// with `jose` against its public key): `sub` is the user, `amr` containing
// `mfa` says the sign-in passed a second factor. No header the client
// writes can claim an identity or MFA. The policy comes from the control
// plane through a `Watcher` (it stays current as changes are applied, and
// the decisions flow back), or from a local signed bundle. Every response is
// `filter` (which records) + `redact` (which fields).
//
// Single records are decided with `check`. With a local bundle, each
// decision is recorded as an activity event and `GET /activity` (with
// `ACTIVITY_TOKEN` set) drains them as JSON Lines; with the control plane,
// the watcher ships them to it.
//
//   SESSION_PUBLIC_KEY=idp.pem SESSION_ISSUER=https://idp.example SESSION_AUDIENCE=crm RECORDS=records.json PORT=8080 \
//     CLEARANCE_URL=https://clearance.example CLEARANCE_EDGE_TOKEN=clr_… BUNDLE_KEY=bundle.key.pub node server.mjs
//   (or, without a control plane: BUNDLE=policy.bundle PUBLIC_KEY=key.pub ACTIVITY_TOKEN=secret)
//   curl -H "authorization: Bearer $SESSION_JWT" http://127.0.0.1:8080/records/Account
//   curl -H "authorization: Bearer $SESSION_JWT" http://127.0.0.1:8080/records/Account/acc_eu_1
//   curl -H 'authorization: Bearer secret' http://127.0.0.1:8080/activity >> activity.jsonl
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Engine, Watcher } from 'clearance';
import { importSPKI, jwtVerify } from 'jose';

const records = readFileSync(process.env.RECORDS, 'utf8');
const sessionKey = await importSPKI(readFileSync(process.env.SESSION_PUBLIC_KEY, 'utf8'), process.env.SESSION_ALG ?? 'EdDSA');

/** The policy: kept current by the control plane, or a local bundle. */
async function policySource() {
  if (process.env.CLEARANCE_URL) {
    const keys = readFileSync(process.env.BUNDLE_KEY, 'utf8').trim();
    const watcher = new Watcher({ url: process.env.CLEARANCE_URL, token: process.env.CLEARANCE_EDGE_TOKEN, keys, records, events: true });
    watcher.start().catch(() => undefined);
    await watcher.ready();
    return { current: () => watcher.engine, watcher };
  }
  const engine = Engine.fromBundle(readFileSync(process.env.BUNDLE), readFileSync(process.env.PUBLIC_KEY, 'utf8').trim());
  engine.loadRecords(records);
  // At most 100,000 events wait for a drain; beyond that they are counted in `engine.eventsDropped`.
  engine.recordEvents(true, 100_000);
  return { current: () => engine, watcher: null };
}
const policy = await policySource();

/** The caller, from a session token the identity provider signed; `null` when there is none or it does not verify. */
async function caller(request) {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return null;
  try {
    const { payload } = await jwtVerify(header.slice(7), sessionKey, {
      issuer: process.env.SESSION_ISSUER, audience: process.env.SESSION_AUDIENCE, algorithms: [process.env.SESSION_ALG ?? 'EdDSA'],
    });
    if (typeof payload.sub !== 'string') return null;
    return { user: payload.sub, mfa: Array.isArray(payload.amr) && payload.amr.includes('mfa') };
  } catch {
    return null;
  }
}

function respond(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** The session context of a request: the client address (the socket's), the time, MFA as the signed session says. */
function context(request, who) {
  const ip = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return { ip, time: new Date().toISOString(), mfa: who.mfa };
}

/** Whether `given` equals `expected`, in time that does not depend on where they differ (both hashed first: equal lengths). */
function sameSecret(given, expected) {
  const digest = (text) => createHash('sha256').update(String(text)).digest();
  return typeof given === 'string' && timingSafeEqual(digest(given), digest(expected));
}

function activity(request, response) {
  const token = process.env.ACTIVITY_TOKEN;
  if (!token || policy.watcher) return respond(response, 404, { error: 'not found' });
  if (request.method !== 'GET') return respond(response, 405, { error: 'method not allowed' });
  if (!sameSecret(request.headers.authorization, `Bearer ${token}`)) return respond(response, 401, { error: 'bad token' });
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  response.end(policy.current().drainEventLines());
}

/** The request's path, decoded; null when the target is not a valid address (`//`, `http://[`, a bad percent escape). */
function pathOf(request) {
  try {
    return new URL(request.url ?? '', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

async function route(request, response) {
  const path = pathOf(request);
  if (path === null) return respond(response, 400, { error: 'bad request target' });
  if (path === '/activity') return activity(request, response);
  const who = await caller(request);
  // One engine for the whole request: a swap in between cannot mix two policies' answers.
  const engine = policy.current();
  if (!who || engine.userHandle(who.user) < 0) return respond(response, 401, { error: 'sign in first' });
  const { user } = who;
  const match = /^\/records\/([A-Za-z_]+)(?:\/([^/]+))?$/.exec(path);
  if (!match) return respond(response, 404, { error: 'not found' });
  if (request.method !== 'GET') return respond(response, 405, { error: 'method not allowed' });
  let recordId;
  try {
    recordId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  } catch {
    return respond(response, 400, { error: 'bad percent escape in the record id' });
  }
  if (recordId !== undefined) {
    const decision = engine.check({ user, action: 'read', object: match[1], recordId, context: context(request, who) });
    if (!decision.allowed) return respond(response, 403, { error: decision.message, stage: decision.stage });
    return respond(response, 200, engine.redact({ user, recordId, context: context(request, who) }));
  }
  const ids = engine.filter({ user, action: 'read', object: match[1] });
  const records = ids.map((id) => engine.redact({ user, recordId: id }));
  return respond(response, 200, { user, object: match[1], records });
}

const server = createServer((request, response) => {
  route(request, response).catch((error) => {
    // An unknown object and other misuse arrive as errors with a stable code;
    // anything else is still an answer, never a crashed server.
    if (!response.headersSent) respond(response, error.code ? 400 : 500, { error: error.message, code: error.code ?? 'internal' });
  });
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
