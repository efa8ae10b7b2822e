// A CRM API that returns only what the caller may see: the user id comes
// from the `x-user-id` header (put your real authentication in front: a
// verified session or token), the policy from a signed bundle, and every
// response is `filter` (which records) + `redact` (which fields).
//
// Single records are decided with `check` and each decision is recorded as
// an activity event; `GET /activity` (with `ACTIVITY_TOKEN` set) drains them
// as JSON Lines for `clearance activity analyze` or the admin app.
//
//   BUNDLE=policy.bundle PUBLIC_KEY=key.pub RECORDS=records.json PORT=8080 ACTIVITY_TOKEN=secret node server.mjs
//   curl -H 'x-user-id: rep_east_alice' http://127.0.0.1:8080/records/Account
//   curl -H 'x-user-id: rep_east_alice' http://127.0.0.1:8080/records/Account/acc_eu_1
//   curl -H 'authorization: Bearer secret' http://127.0.0.1:8080/activity >> activity.jsonl
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Engine } from 'clearance';

const engine = Engine.fromBundle(readFileSync(process.env.BUNDLE), readFileSync(process.env.PUBLIC_KEY, 'utf8').trim());
engine.loadRecords(readFileSync(process.env.RECORDS, 'utf8'));
// At most 100,000 events wait for a drain; beyond that they are counted in `engine.eventsDropped`.
engine.recordEvents(true, 100_000);

function respond(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** The session context of a request: the client address, the time, MFA as the front end vouches for it. */
function context(request) {
  const ip = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return { ip, time: new Date().toISOString(), mfa: request.headers['x-mfa'] === 'true' };
}

/** Whether `given` equals `expected`, in time that does not depend on where they differ (both hashed first: equal lengths). */
function sameSecret(given, expected) {
  const digest = (text) => createHash('sha256').update(String(text)).digest();
  return typeof given === 'string' && timingSafeEqual(digest(given), digest(expected));
}

function activity(request, response) {
  const token = process.env.ACTIVITY_TOKEN;
  if (!token) return respond(response, 404, { error: 'not found' });
  if (request.method !== 'GET') return respond(response, 405, { error: 'method not allowed' });
  if (!sameSecret(request.headers.authorization, `Bearer ${token}`)) return respond(response, 401, { error: 'bad token' });
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  response.end(engine.drainEventLines());
}

/** The request's path, decoded; null when the target is not a valid address (`//`, `http://[`, a bad percent escape). */
function pathOf(request) {
  try {
    return new URL(request.url ?? '', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

function route(request, response) {
  const path = pathOf(request);
  if (path === null) return respond(response, 400, { error: 'bad request target' });
  if (path === '/activity') return activity(request, response);
  const user = request.headers['x-user-id'];
  if (typeof user !== 'string' || engine.userHandle(user) < 0) return respond(response, 401, { error: 'unknown user' });
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
    const decision = engine.check({ user, action: 'read', object: match[1], recordId, context: context(request) });
    if (!decision.allowed) return respond(response, 403, { error: decision.message, stage: decision.stage });
    return respond(response, 200, engine.redact({ user, recordId, context: context(request) }));
  }
  const ids = engine.filter({ user, action: 'read', object: match[1] });
  const records = ids.map((id) => engine.redact({ user, recordId: id }));
  return respond(response, 200, { user, object: match[1], records });
}

const server = createServer((request, response) => {
  try {
    route(request, response);
  } catch (error) {
    // An unknown object and other misuse arrive as errors with a stable code;
    // anything else is still an answer, never a crashed server.
    if (!response.headersSent) respond(response, error.code ? 400 : 500, { error: error.message, code: error.code ?? 'internal' });
  }
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
