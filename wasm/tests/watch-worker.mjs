// A Cloudflare Worker (served by workerd) that keeps its engine current
// from a Clearance server: workerd runs code only while it serves a
// request, so each request looks at the server once (`refresh`, no wait)
// before it decides — a production worker would rather
// `ctx.waitUntil(watcher.refresh())` and decide on the engine it has.
import { Watcher } from 'clearance';
import settings from './settings.json';

let watcher;

export default {
  async fetch() {
    try {
      const { url, token, keys, records } = JSON.parse(settings);
      watcher ??= new Watcher({ url, token, keys, records });
      const revision = await watcher.refresh();
      const request = { user: 'mgr_east_mike', action: 'edit', object: 'Account', recordId: 'acc_eu_2' };
      const allowed = revision > 0 ? watcher.isAllowed(request) : null;
      return Response.json({ revision, allowed, error: watcher.lastError?.code ?? null });
    } catch (error) {
      return Response.json({ error: String(error && error.stack || error) }, { status: 500 });
    }
  },
};
