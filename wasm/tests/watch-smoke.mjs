// A Watcher in Deno or Bun (their binaries run this, `URL TOKEN KEY RECORDS`):
// prints the revision it runs and mike's edit verdict, as JSON.
import { Watcher } from 'clearance';

const [url, token, keys, recordsFile] = (globalThis.Deno?.args ?? process.argv.slice(2));
const records = globalThis.Deno ? await Deno.readTextFile(recordsFile) : await Bun.file(recordsFile).text();
const watcher = new Watcher({ url, token, keys, records, wait: 1 });
const revision = await watcher.start();
const allowed = watcher.isAllowed({ user: 'mgr_east_mike', action: 'edit', object: 'Account', recordId: 'acc_eu_2' });
watcher.free();
console.log(JSON.stringify({ revision, allowed }));
