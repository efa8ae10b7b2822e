// A Cloudflare Worker that returns only the CRM records and fields the
// caller may see. Who calls is a session token the identity provider signed
// (a JWT verified with `jose`: `sub` the user, `amr` with `mfa` for a second
// factor); no header the client writes can claim an identity. The policy
// starts as the signed bundle deployed with the worker and, when a control
// plane is configured, follows it: workerd runs code only while it serves,
// so each request lets the watcher look once in the background
// (`ctx.waitUntil`) and decides on the newest engine it has. The bundle, its
// key, the records, the provider's key and the settings are modules of the
// worker (wrangler: `rules` of type Data/Text; workerd: see config.capnp).
import { Engine, Watcher } from 'clearance';
import { importSPKI, jwtVerify } from 'jose';
import bundle from './policy.bundle';
import publicKey from './key.pub';
import records from './records.json';
import idpKey from './idp.pem';
import settingsText from './settings.json';

// Built once per isolate, reused by every request.
const settings = JSON.parse(settingsText);
const deployed = Engine.fromBundle(new Uint8Array(bundle), publicKey.trim());
deployed.loadRecords(records);
const watcher = settings.clearanceUrl
  ? new Watcher({ url: settings.clearanceUrl, token: settings.edgeToken, keys: publicKey.trim(), records })
  : null;
const sessionKey = importSPKI(idpKey, 'EdDSA');

/** The caller from a verified session token, or `null`. */
async function caller(request) {
  const header = request.headers.get('authorization') ?? '';
  if (!header.startsWith('Bearer ')) return null;
  try {
    const { payload } = await jwtVerify(header.slice(7), await sessionKey, { issuer: settings.issuer, audience: settings.audience, algorithms: ['EdDSA'] });
    return typeof payload.sub === 'string' ? { user: payload.sub, mfa: Array.isArray(payload.amr) && payload.amr.includes('mfa') } : null;
  } catch {
    return null;
  }
}

export default {
  async fetch(request, env, ctx) {
    if (watcher) ctx.waitUntil(watcher.refresh());
    // One engine for the whole request: the control plane's newest once the watcher has one.
    const engine = watcher && watcher.revision > 0 ? watcher.engine : deployed;
    let path;
    try {
      path = new URL(request.url).pathname;
    } catch {
      return Response.json({ error: 'bad request target' }, { status: 400 });
    }
    const who = await caller(request);
    if (!who || engine.userHandle(who.user) < 0) return Response.json({ error: 'sign in first' }, { status: 401 });
    const match = /^\/records\/([A-Za-z_]+)$/.exec(path);
    if (!match) return Response.json({ error: 'not found' }, { status: 404 });
    if (request.method !== 'GET') return Response.json({ error: 'method not allowed' }, { status: 405 });
    const { user } = who;
    try {
      const ids = engine.filter({ user, action: 'read', object: match[1] });
      return Response.json({ user, object: match[1], records: ids.map((recordId) => engine.redact({ user, recordId })) });
    } catch (error) {
      return Response.json({ error: error.message, code: error.code }, { status: 400 });
    }
  },
};
