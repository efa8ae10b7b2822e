// One smoke suite for every runtime (Node, Deno, Bun, workerd, edge-runtime):
// load a signed bundle, check, filter, redact, refuse bad input and a
// tampered bundle. Throws on the first failure; returns what it saw.

function assert(condition, message) {
  if (!condition) throw new Error(`smoke: ${message}`);
}

function throwsCode(f, code) {
  try {
    f();
  } catch (error) {
    assert(error instanceof Error, `expected an Error, got ${String(error)}`);
    assert(error.code === code, `expected code ${code}, got ${error.code}: ${error.message}`);
    assert(Array.isArray(error.errors) && error.errors.length > 0, 'errors lists the problems');
    return error;
  }
  throw new Error(`smoke: expected a ${code} error`);
}

/**
 * @param {typeof import('clearance')} clearance the package as the runtime imports it
 * @param {Uint8Array} bundle the reference org, signed
 * @param {string} publicKey hex
 * @param {string} records the reference records (JSON text)
 */
export function smoke(clearance, bundle, publicKey, records) {
  const { Engine } = clearance;
  const engine = Engine.fromBundle(bundle, publicKey);
  const loaded = engine.loadRecords(records);
  assert(loaded > 0, 'records load');
  const allow = engine.check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' });
  assert(allow.allowed === true && allow.reasons.some((r) => r.kind === 'owner'), `alice reads her account: ${JSON.stringify(allow)}`);
  const deny = engine.check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_us_2' });
  assert(deny.allowed === false && deny.stage === 'no_record_access', `alice may not read acc_us_2: ${JSON.stringify(deny)}`);
  const ids = engine.filter({ user: 'rep_east_alice', action: 'read', object: 'Account' });
  assert(JSON.stringify(ids) === JSON.stringify(['acc_eu_1', 'acc_eu_2', 'acc_us_1']), `filter: ${JSON.stringify(ids)}`);
  const redacted = engine.redact({ user: 'rep_east_bob', recordId: 'opp_1' });
  const fields = engine.fields({ user: 'rep_east_bob', recordId: 'opp_1' });
  assert(redacted === null || Object.keys(redacted.fields).every((f) => fields.read.includes(f)), 'redact keeps only readable fields');
  throwsCode(() => engine.check({ user: 'rep_east_alice', action: 'read' }), 'missing_key');
  throwsCode(() => Engine.fromJson('{"roles": 1'), 'json_syntax');
  // A flipped byte in the compiled engine is refused at load…
  const tampered = new Uint8Array(bundle);
  tampered[40] ^= 1;
  throwsCode(() => Engine.fromBundle(tampered, publicKey), 'bad_signature');
  // …one in the policy section (checked when first needed) when lint reads it.
  const lateTampered = new Uint8Array(bundle);
  lateTampered[lateTampered.length - 100] ^= 1;
  const late = Engine.fromBundle(lateTampered, publicKey);
  throwsCode(() => late.lint(), 'bad_signature');
  late.free();
  throwsCode(() => Engine.fromBundle(bundle.subarray(0, bundle.length - 1), publicKey), 'bad_bundle');
  // The engine still works after errors: no panic poisoned the instance.
  assert(engine.check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' }).allowed, 'engine survives errors');
  engine.free();
  return { records: loaded, filter: ids.length, version: clearance.version() };
}
