// A Cloudflare Worker that returns only the CRM records and fields the
// caller may see. The signed bundle, its public key and the records are
// modules of the worker (wrangler: `rules` of type Data/Text; workerd: see
// config.capnp), so nothing is fetched at run time.
import { Engine } from 'clearance';
import bundle from './policy.bundle';
import publicKey from './key.pub';
import records from './records.json';

// Built once per isolate, reused by every request.
const engine = Engine.fromBundle(new Uint8Array(bundle), publicKey.trim());
engine.loadRecords(records);

export default {
  async fetch(request) {
    const user = request.headers.get('x-user-id');
    if (!user || engine.userHandle(user) < 0) return Response.json({ error: 'unknown user' }, { status: 401 });
    let path;
    try {
      path = new URL(request.url).pathname;
    } catch {
      return Response.json({ error: 'bad request target' }, { status: 400 });
    }
    const match = /^\/records\/([A-Za-z_]+)$/.exec(path);
    if (!match) return Response.json({ error: 'not found' }, { status: 404 });
    if (request.method !== 'GET') return Response.json({ error: 'method not allowed' }, { status: 405 });
    try {
      const ids = engine.filter({ user, action: 'read', object: match[1] });
      return Response.json({ user, object: match[1], records: ids.map((recordId) => engine.redact({ user, recordId })) });
    } catch (error) {
      return Response.json({ error: error.message, code: error.code }, { status: 400 });
    }
  },
};
