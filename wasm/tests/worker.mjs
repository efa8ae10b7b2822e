// The smoke suite inside a Cloudflare Worker, served by workerd: the package
// is imported through its `workerd` entry (a compiled wasm module, no fetch).
import * as clearance from 'clearance';
import { smoke } from './smoke.mjs';
import bundle from './reference.bundle';
import publicKey from './reference.pub';
import records from './reference-records.json';

export default {
  async fetch() {
    try {
      const result = smoke(clearance, new Uint8Array(bundle), publicKey.trim(), records);
      return Response.json({ ok: true, ...result });
    } catch (error) {
      return Response.json({ ok: false, error: String(error && error.stack || error) }, { status: 500 });
    }
  },
};
