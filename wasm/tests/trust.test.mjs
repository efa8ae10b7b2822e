// Which bundles an engine accepts: signed by a trusted key (several, for a
// rotation; the old one refused from its retirement date), not older than
// the revision expected (a replayed old bundle), not past its `not_after`,
// and whole — a changed byte anywhere, the policy section included, is
// refused at load with a coded error.
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
const dir = mkdtempSync(join(tmpdir(), 'clearance-trust-'));
const cli = (...args) => execFileSync(nativeBin(root), args, { encoding: 'utf8' });
cli('keygen', '-o', join(dir, 'old.key'));
cli('keygen', '-o', join(dir, 'new.key'));
const key = (name) => readFileSync(join(dir, `${name}.key.pub`), 'utf8').trim();
const bundle = (name, signer, ...extra) => {
  cli('bundle', join(root, 'examples/reference-org.json'), '--key', join(dir, `${signer}.key`), '-o', join(dir, name), ...extra);
  return new Uint8Array(readFileSync(join(dir, name)));
};
const r3 = bundle('r3.bundle', 'old', '--revision', '3');
const r5 = bundle('r5.bundle', 'new', '--revision', '5', '--not-after', '2999-01-01T00:00:00Z');
const expired = bundle('expired.bundle', 'new', '--revision', '6', '--not-after', '2020-01-01T00:00:00Z');

/** The error `f` throws: coded, with its problems. */
function refusal(f) {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof Error && typeof error.code === 'string' && Array.isArray(error.errors), `uncoded: ${error}`);
    return error;
  }
  assert.fail('loaded');
}

test('a bundle names its revision, policy and key; a rotation trusts both keys until the old one retires', () => {
  const rotation = [{ key: key('old'), retiredAt: '2999-01-01T00:00:00Z' }, key('new')];
  const engine = Engine.fromBundle(r5, rotation, { minRevision: 5 });
  const stamp = engine.bundleStamp;
  assert.equal(stamp.revision, 5);
  assert.match(stamp.policyHash, /^[0-9a-f]{64}$/);
  assert.match(stamp.keyId, /^[0-9a-f]{16}$/);
  assert.equal(stamp.notAfter, '2999-01-01T00:00:00.000Z');
  assert.ok(Date.parse(stamp.issuedAt) <= Date.now());
  assert.equal(Engine.fromJson(readFileSync(join(root, 'examples/reference-org.json'), 'utf8')).bundleStamp, null);
  assert.equal(Engine.fromBundle(r3, rotation).bundleStamp.revision, 3, 'the old key still signs until it retires');
  assert.notEqual(Engine.fromBundle(r3, rotation).bundleStamp.keyId, stamp.keyId);
  const retired = [{ key: key('old'), retiredAt: '2020-01-01T00:00:00Z' }, key('new')];
  assert.equal(refusal(() => Engine.fromBundle(r3, retired)).code, 'retired_key');
  assert.equal(refusal(() => Engine.fromBundle(r5, [key('old')])).code, 'unknown_key');
  assert.equal(Engine.fromBundle(r5, retired).bundleStamp.revision, 5);
});

test('a replayed older revision and an expired bundle are refused', () => {
  const stale = refusal(() => Engine.fromBundle(r3, key('old'), { minRevision: 4 }));
  assert.equal(stale.code, 'stale_bundle');
  assert.match(stale.message, /revision 3.*revision 4/);
  const gone = refusal(() => Engine.fromBundle(expired, key('new')));
  assert.equal(gone.code, 'expired_bundle');
  assert.match(gone.message, /not_after/);
});

test('every changed byte of a signed bundle is refused at load, the policy section included', () => {
  let refused = 0;
  for (let at = 0; at < r5.length; at += 7) {
    const mutated = r5.slice();
    mutated[at] ^= 1 << (at % 8);
    const error = refusal(() => Engine.fromBundle(mutated, key('new')));
    assert.ok(['bad_bundle', 'bad_signature', 'unknown_key', 'bundle_version', 'bad_key'].includes(error.code), `byte ${at}: ${error.code}`);
    refused++;
  }
  assert.ok(refused > 100);
});

test('bad keys and options are coded errors at their paths', () => {
  const cases = [
    [[{ key: key('new'), retiredAt: 'soon' }], undefined, 'bad_value', '/publicKey/0/retiredAt'],
    [[{ key: key('new'), retired: 1 }], undefined, 'unknown_key', '/publicKey/0/retired'],
    [[42], undefined, 'bad_type', '/publicKey/0'],
    [['abc'], undefined, 'bad_key', '/publicKey/0'],
    [key('new'), { minRevision: -1 }, 'bad_type', '/minRevision'],
    [key('new'), { minRevision: 1.5 }, 'bad_type', '/minRevision'],
    [key('new'), { minRevision: 2 ** 60 }, 'bad_type', '/minRevision'],
    [key('new'), { newest: true }, 'unknown_key', '/newest'],
  ];
  for (const [keys, options, code, path] of cases) {
    const error = refusal(() => Engine.fromBundle(r5, keys, options));
    assert.deepEqual([error.code, error.errors[0].path], [code, path], JSON.stringify([keys, options]));
  }
  assert.equal(Engine.fromBundle(r5, [key('new')], { minRevision: 5.0 }).bundleStamp.revision, 5);
});

test('an edge bundle (without its policy) decides like the full one, and lint says what is missing', () => {
  const edge = bundle('edge.bundle', 'new', '--revision', '7', '--without-policy');
  assert.ok(edge.length < r5.length / 2);
  const [full, lean] = [Engine.fromBundle(r5, key('new')), Engine.fromBundle(edge, key('new'))];
  const request = { user: 'rep_east_alice', action: 'read', object: 'Account', record: { id: 'a', object: 'Account', owner: 'rep_east_alice' } };
  assert.deepEqual(lean.check(request), full.check(request));
  assert.equal(lean.bundleStamp.revision, 7);
  assert.equal(refusal(() => lean.lint()).code, 'no_policy');
  assert.ok(Array.isArray(full.lint()));
});
