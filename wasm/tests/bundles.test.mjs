// Corrupted unsigned bundles in the package: nothing vouches for an unsigned
// bundle's compiled section, so loading one holds it to its policy section.
// Every corrupted byte is refused with a coded error at load (or, where it
// changes nothing the engine reads, loads the same engine) — never a trap at
// the first check that would poison the instance for every engine in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from 'clearance';
import { nativeBin } from './support.mjs';

const root = process.env.CLEARANCE_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const records = readFileSync(join(root, 'examples/reference-records.json'), 'utf8');

/** Every user × record × action's verdict: what an engine answers. */
function verdicts(engine) {
  engine.loadRecords(records);
  const users = JSON.parse(readFileSync(join(root, 'examples/reference-org.json'), 'utf8')).users.map((u) => engine.userHandle(u.id));
  const ids = JSON.parse(records).map((r) => engine.recordHandle(r.id));
  const out = [];
  for (const action of ['read', 'edit', 'delete']) for (const u of users) for (const r of ids) out.push(engine.allows(u, engine.actionHandle(action), r, 0) ? 1 : 0);
  return out.join('');
}

test('every corrupted byte of an unsigned bundle is refused at load or changes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearance-bundles-'));
  const file = join(dir, 'unsigned.bundle');
  execFileSync(nativeBin(root), ['bundle', join(root, 'examples/reference-org.json'), '--unsigned', '-o', file]);
  const bytes = new Uint8Array(readFileSync(file));
  const witness = Engine.fromBundle(bytes, null, { allowUnsigned: true });
  const expected = verdicts(witness);
  let refused = 0, loaded = 0;
  // Every byte of the first half (header and compiled engine), then every 13th (the policy section).
  for (let at = 0; at < bytes.length; at += at < bytes.length / 2 ? 1 : 13) {
    const mutated = bytes.slice();
    mutated[at] ^= 1 << (at % 8);
    let engine;
    try {
      engine = Engine.fromBundle(mutated, null, { allowUnsigned: true });
    } catch (error) {
      assert.ok(typeof error.code === 'string' && Array.isArray(error.errors), `byte ${at}: uncoded ${error}`);
      refused++;
      continue;
    }
    loaded++;
    assert.equal(verdicts(engine), expected, `byte ${at} flipped loaded an engine that answers differently`);
    engine.free();
  }
  assert.ok(refused > 0);
  // The instance is not poisoned: the first engine still answers.
  assert.equal(verdicts(witness), expected);
  console.log(`# corrupted unsigned bundles: ${refused} refused, ${loaded} loaded the same engine`);
  witness.free();
});
