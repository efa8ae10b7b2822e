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

function activity(request, response) {
  const token = process.env.ACTIVITY_TOKEN;
  if (!token) return respond(response, 404, { error: 'not found' });
  if (request.headers.authorization !== `Bearer ${token}`) return respond(response, 401, { error: 'bad token' });
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  response.end(engine.drainEventLines());
}

const server = createServer((request, response) => {
  if (new URL(request.url, 'http://localhost').pathname === '/activity') return activity(request, response);
  const user = request.headers['x-user-id'];
  if (typeof user !== 'string' || engine.userHandle(user) < 0) return respond(response, 401, { error: 'unknown user' });
  const match = /^\/records\/([A-Za-z_]+)(?:\/([^/]+))?$/.exec(new URL(request.url, 'http://localhost').pathname);
  if (request.method !== 'GET' || !match) return respond(response, 404, { error: 'not found' });
  try {
    if (match[2] !== undefined) {
      const recordId = decodeURIComponent(match[2]);
      const decision = engine.check({ user, action: 'read', object: match[1], recordId, context: context(request) });
      if (!decision.allowed) return respond(response, 403, { error: decision.message, stage: decision.stage });
      return respond(response, 200, engine.redact({ user, recordId, context: context(request) }));
    }
    const ids = engine.filter({ user, action: 'read', object: match[1] });
    const records = ids.map((recordId) => engine.redact({ user, recordId }));
    return respond(response, 200, { user, object: match[1], records });
  } catch (error) {
    // An unknown object and other misuse arrive as errors with a stable code.
    return respond(response, 400, { error: error.message, code: error.code });
  }
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
