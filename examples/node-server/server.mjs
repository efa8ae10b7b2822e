// A CRM API that returns only what the caller may see: the user id comes
// from the `x-user-id` header (put your real authentication in front: a
// verified session or token), the policy from a signed bundle, and every
// response is `filter` (which records) + `redact` (which fields).
//
//   BUNDLE=policy.bundle PUBLIC_KEY=key.pub RECORDS=records.json PORT=8080 node server.mjs
//   curl -H 'x-user-id: rep_east_alice' http://127.0.0.1:8080/records/Account
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { Engine } from 'clearance';

const engine = Engine.fromBundle(readFileSync(process.env.BUNDLE), readFileSync(process.env.PUBLIC_KEY, 'utf8').trim());
engine.loadRecords(readFileSync(process.env.RECORDS, 'utf8'));

function respond(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const server = createServer((request, response) => {
  const user = request.headers['x-user-id'];
  if (typeof user !== 'string' || engine.userHandle(user) < 0) return respond(response, 401, { error: 'unknown user' });
  const match = /^\/records\/([A-Za-z_]+)$/.exec(new URL(request.url, 'http://localhost').pathname);
  if (request.method !== 'GET' || !match) return respond(response, 404, { error: 'not found' });
  try {
    const ids = engine.filter({ user, action: 'read', object: match[1] });
    const records = ids.map((recordId) => engine.redact({ user, recordId }));
    return respond(response, 200, { user, object: match[1], records });
  } catch (error) {
    // An unknown object and other misuse arrive as errors with a stable code.
    return respond(response, 400, { error: error.message, code: error.code });
  }
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
