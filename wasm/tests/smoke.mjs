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

/** `f` throws an `Error` with a string `code` and a non-empty `errors` list (any code). */
function throwsCoded(f, what) {
  try {
    f();
  } catch (error) {
    assert(error instanceof Error && typeof error.code === 'string' && Array.isArray(error.errors) && error.errors.length > 0, `${what}: uncoded ${String(error)}`);
    return error;
  }
  throw new Error(`smoke: ${what}: expected an error`);
}

/**
 * Misuse of the handle path and of the API: every case is a coded error (or
 * the documented bad-handle verdict 2), never another user's answer, and the
 * engine stays usable.
 */
function misuse(clearance, bundle, publicKey, records) {
  const { Engine } = clearance;
  const engine = Engine.fromBundle(bundle, publicKey);
  engine.loadRecords(records);
  const u = engine.userHandle('rep_east_alice'), a = engine.actionHandle('read'), r = engine.recordHandle('acc_eu_1');
  const denied = engine.recordHandle('acc_us_2');
  assert(engine.allows(u, a, r, 0) === true && engine.allows(u, a, denied, 0) === false, 'handles answer');
  assert(engine.userHandle('nobody') === -1 && engine.recordHandle('nothing') === -1 && engine.actionHandle('fly') === -1, 'unknown ids are -1');
  const notHandles = [0, 1, 2, -1, 0.5, NaN, undefined, null, '0', '', {}, [], true, 2 ** 53, 2 ** 64, u + 0.5, -u, Infinity, 'abc'];
  for (const bad of notHandles) {
    throwsCode(() => engine.allows(bad, a, r, 0), 'bad_handle');
    throwsCode(() => engine.allows(u, bad, r, 0), 'bad_handle');
    throwsCode(() => engine.allows(u, a, bad, 0), 'bad_handle');
  }
  throwsCoded(() => engine.allows(1n, a, r, 0), 'a BigInt handle');
  // A handle of another kind is refused where one kind belongs, never read as its position.
  const ctx = engine.contextHandle({});
  for (const [uu, aa, rr, cc] of [[a, a, r, 0], [u, u, r, 0], [u, a, u, 0], [r, a, r, 0], [u, a, r, u], [ctx, a, r, 0], [u, a, r, r]]) {
    throwsCode(() => engine.allows(uu, aa, rr, cc), 'bad_handle');
  }
  engine.freeContext(ctx);
  for (const bad of [123, {}, null, undefined, 1n]) {
    throwsCoded(() => engine.userHandle(bad), `userHandle(${typeof bad})`);
    throwsCoded(() => engine.recordHandle(bad), `recordHandle(${typeof bad})`);
    throwsCoded(() => engine.actionHandle(bad), `actionHandle(${typeof bad})`);
  }
  // Another engine over the same policy refuses these handles (its users sit at the same positions).
  const other = Engine.fromBundle(bundle, publicKey);
  other.loadRecords(records);
  throwsCode(() => other.allows(u, a, r, 0), 'bad_handle');
  const ou = other.userHandle('rep_east_alice'), oa = other.actionHandle('read'), or = other.recordHandle('acc_eu_1');
  const verdicts = other.checkHandles([u, ou, ou, NaN], [oa, oa, a, oa], [or, or, or, or], 0);
  assert(verdicts.join() === '2,1,2,2', `checkHandles marks other engines' handles bad: ${verdicts.join()}`);
  assert(other.checkHandles(new Float64Array([ou]), new Float64Array([oa]), new Float64Array([or]), 0)[0] === 1, 'Float64Array handles');
  // Records replaced: their handles name nothing any more.
  other.loadRecords(records);
  throwsCode(() => other.allows(ou, oa, or, 0), 'bad_handle');
  assert(other.allows(ou, oa, other.recordHandle('acc_eu_1'), 0), 'new record handles work');
  // The verdict-only path, the create handle path and the batch path.
  const plain = { user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' };
  assert(engine.isAllowed(plain) === true && engine.isAllowed({ ...plain, recordId: 'acc_us_2' }) === false, 'isAllowed');
  throwsCode(() => engine.isAllowed({ ...plain, extra: 1 }), 'unknown_key');
  throwsCode(() => engine.isAllowed({ ...plain, object: 'Opportunity' }), 'object_mismatch');
  const create = { user: 'rep_east_alice', action: 'create', object: 'Account' };
  assert(engine.allowsCreate(u, engine.objectHandle('Account'), 0) === engine.check(create).allowed, 'allowsCreate answers as check');
  throwsCode(() => engine.allowsCreate(u, a, 0), 'bad_handle');
  assert(engine.objectHandle('Nothing') === -1, 'unknown object');
  const many = engine.checkMany([plain, create]);
  assert(many.length === 2 && many[0].allowed === true && JSON.stringify(many[1]) === JSON.stringify(engine.check(create)), 'checkMany');
  throwsCode(() => engine.checkMany([plain, { ...plain, user: 7 }]), 'bad_type');
  // Contexts have a lifetime.
  const c = engine.contextHandle({ mfa: true });
  assert(engine.allows(u, a, r, c), 'a context handle');
  throwsCode(() => other.allows(ou, oa, other.recordHandle('acc_eu_1'), c), 'bad_handle');
  engine.freeContext(c);
  throwsCode(() => engine.allows(u, a, r, c), 'bad_handle');
  throwsCode(() => engine.freeContext(c), 'bad_handle');
  throwsCode(() => engine.freeContext(0), 'bad_handle');
  throwsCode(() => engine.contextHandle(null), 'missing_key');
  throwsCode(() => engine.contextHandle(7), 'bad_type');
  // Arguments of the wrong kind.
  throwsCode(() => engine.check(undefined), 'missing_key');
  for (const bad of [null, 7, [], true]) {
    throwsCoded(() => engine.check(bad), `check(${JSON.stringify(bad)})`);
    throwsCoded(() => engine.filter(bad), `filter(${JSON.stringify(bad)})`);
  }
  for (const bad of [null, undefined, 7, true, {}]) throwsCoded(() => engine.loadRecords(bad), `loadRecords(${JSON.stringify(bad)})`);
  for (const bad of [null, undefined, 'bytes', 7, {}]) throwsCoded(() => Engine.fromBundle(bad, publicKey), `fromBundle(${String(bad)})`);
  throwsCoded(() => Engine.fromJson(undefined), 'fromJson(undefined)');
  throwsCode(() => engine.recordEvents('yes'), 'bad_type');
  for (const bad of [0, -1, 0.5, 2 ** 32, 'many']) throwsCode(() => engine.recordEvents(true, bad), 'bad_value');
  throwsCoded(() => engine.checkHandles([u], [a], [r], 0, 1n) && engine.checkHandles(1n, [a], [r], 0), 'checkHandles(BigInt)');
  // A freed engine: coded errors, and a second free is harmless.
  other.free();
  other.free();
  throwsCode(() => other.check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' }), 'engine_freed');
  throwsCode(() => other.allows(ou, oa, or, 0), 'engine_freed');
  throwsCode(() => other.recordCount, 'engine_freed');
  // An object of `new Engine()` is no engine (fromJson and fromBundle make them): said so, not "freed".
  const unmade = new Engine();
  for (const call of [() => unmade.check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' }), () => unmade.recordEvents(true), () => unmade.recordCount]) {
    throwsCode(call, 'bad_argument');
    try { call(); } catch (error) { assert(error.message.includes('Engine.fromJson'), error.message); }
  }
  const { check } = engine;
  throwsCode(() => check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' }), 'bad_argument');
  const { allows: detachedAllows, free: detachedFree } = engine;
  throwsCode(() => detachedAllows(u, a, r, 0), 'bad_argument');
  throwsCode(() => detachedFree(), 'bad_argument');
  assert(engine.allows(u, a, r, 0) && engine.check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' }).allowed, 'the engine survives every misuse');
  engine.free();
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
  // …and so is one in the policy section, at load too (not when lint first reads it).
  const lateTampered = new Uint8Array(bundle);
  lateTampered[lateTampered.length - 100] ^= 1;
  throwsCode(() => Engine.fromBundle(lateTampered, publicKey), 'bad_signature');
  throwsCode(() => Engine.fromBundle(bundle.subarray(0, bundle.length - 1), publicKey), 'bad_bundle');
  misuse(clearance, bundle, publicKey, records);
  // The engine still works after errors: no panic poisoned the instance.
  assert(engine.check({ user: 'rep_east_alice', action: 'read', object: 'Account', recordId: 'acc_eu_1' }).allowed, 'engine survives errors');
  engine.free();
  return { records: loaded, filter: ids.length, version: clearance.version() };
}
