// Every error the package throws is an `Error` with `code` and `errors`:
// the engine's own errors already are; this turns the rest into coded
// ones, so callers branch on `error.code` alone: a method called on a freed
// engine is `engine_freed`; one called without its engine (a detached
// method, or on an object of `new Engine()`, which makes none) or with an
// argument the generated glue cannot pass (a BigInt, a non-array where
// bytes belong) is `bad_argument`. `free()` twice is harmless. One source
// for both module systems: scripts/package.sh appends an ESM or a CommonJS
// export to it.

// What the generated glue says when a method runs on a freed engine.
const FREED = /null pointer passed to rust/;

/** `error` coded; `self` the object the failed method was called on, if any. */
function coded(error, self) {
  if (error instanceof Error && typeof error.code === 'string' && Array.isArray(error.errors)) return error;
  const text = error instanceof Error ? error.message : String(error);
  // No engine behind the call: a freed one had a pointer (0 now), an
  // object of `new Engine()` never had one.
  const noEngine = FREED.test(text);
  const unmade = noEngine && typeof self === 'object' && self !== null && self.__wbg_ptr === undefined;
  const freed = noEngine && !unmade;
  const code = freed ? 'engine_freed' : 'bad_argument';
  const message = freed
    ? 'this engine was freed: create a new one'
    : unmade
      ? 'bad argument: this object is no engine: make one with `Engine.fromJson` or `Engine.fromBundle` (`new Engine()` makes none)'
      : `bad argument: ${text}`;
  const result = new Error(message, { cause: error });
  result.code = code;
  result.errors = [{ path: '', code, message }];
  return result;
}

/** `fn` with every error it throws coded (five arguments: the most any export takes). */
function wrap(fn) {
  return function guarded(a, b, c, d, e) {
    try {
      return fn.call(this, a, b, c, d, e);
    } catch (error) {
      throw coded(error, this);
    }
  };
}

/**
 * A method of `Class` wrapped like `wrap`, refusing a call without an
 * instance first: detached, the glue would read a pointer off `undefined`
 * (strict code) or off the global object (sloppy code) and report a freed
 * engine.
 */
function method(fn, Class) {
  const guarded = wrap(fn);
  return function checked(a, b, c, d, e) {
    if (!(this instanceof Class)) throw coded(new TypeError('called without its engine (a detached method?)'));
    return guarded.call(this, a, b, c, d, e);
  };
}

function wrapMembers(target, skip, wrapper) {
  for (const key of Reflect.ownKeys(target)) {
    if (skip.includes(key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (typeof descriptor.value === 'function') descriptor.value = wrapper(descriptor.value);
    if (descriptor.get) descriptor.get = wrapper(descriptor.get);
    if (descriptor.set) descriptor.set = wrapper(descriptor.set);
    Object.defineProperty(target, key, descriptor);
  }
}

/** Exactly `user`, `action`, `object` and `recordId`, all strings, own properties: a request by ids. */
function isPlain(request) {
  if (request === null || typeof request !== 'object') return false;
  let keys = 0;
  for (const key in request) keys += Object.hasOwn(request, key) ? 1 : 100;
  const { user, action, object, recordId } = request;
  return keys === 4 && typeof user === 'string' && typeof action === 'string' && typeof object === 'string' && typeof recordId === 'string';
}

// The recorder's clock on the plain paths. `Date.now()` costs about 80 ns
// (through the wasm import, twice that): a large share of what recording a check
// costs. So it is read once per synchronous run of checks (a microtask
// forgets it) and again every 256 events: an event's time is off by at most
// one run of the application's code between two awaits.
let clockMs = 0;
let clockUses = 0;
const forgetClock = () => { clockUses = 0; };
function eventClock() {
  if (clockUses === 0) {
    clockMs = Date.now();
    queueMicrotask(forgetClock);
  }
  clockUses = (clockUses + 1) & 255;
  return clockMs;
}
const RECORDING = Symbol('recording');

/** Guards the generated module's exports once; returns them with the functions wrapped. */
function guard(api) {
  const { Engine } = api;
  if (!Engine.__clearanceGuarded) {
    const { free, verdictByIds, checkByIds } = Engine.prototype;
    const ofEngine = (fn) => method(fn, Engine);
    wrapMembers(Engine.prototype, ['constructor', 'free', '__destroy_into_raw'], ofEngine);
    // A second free finds nothing to release: a no-op, as closing twice is.
    const freeGuarded = ofEngine(free);
    Engine.prototype.free = function freeOnce() {
      if (this instanceof Engine && this.__wbg_ptr === 0) return;
      freeGuarded.call(this);
    };
    if (Symbol.dispose && Engine.prototype[Symbol.dispose]) Engine.prototype[Symbol.dispose] = Engine.prototype.free;
    // A plain request by ids crosses as one string of its four ids and
    // their lengths (wasm/src/ids.rs) to the handle path
    // (no object walk, no JSON); anything else — a context, fields, an
    // unknown id or key — goes to `isAllowed`, which decides or explains.
    const { isAllowed, check } = Engine.prototype;
    Engine.prototype.isAllowed = ofEngine(function isAllowedFast(request) {
      if (isPlain(request)) {
        const { user, action, object, recordId } = request;
        const ms = this[RECORDING] === true ? eventClock() : 0;
        const verdict = verdictByIds.call(this, user + action + object + recordId, user.length, action.length, object.length, ms);
        if (verdict >= 0) return verdict === 1;
      }
      return isAllowed.call(this, request);
    });
    // `check` guards its plain path itself (one call, not two wrappers: a
    // plain check's overhead); anything else takes the guarded
    // JSON path (`check`, wrapped above), which also refuses a call without
    // its engine.
    const { decisionNames } = Engine.prototype;
    Engine.prototype.check = function checkFast(request) {
      if (this instanceof Engine && isPlain(request)) {
        const { user, action, object, recordId } = request;
        try {
          const ms = this[RECORDING] === true ? eventClock() : 0;
          const answer = checkByIds.call(this, user + action + object + recordId, user.length, action.length, object.length, ms);
          if (answer.length > 0) return decisionOf(answer, namesOf(this, decisionNames), user);
        } catch (error) {
          throw coded(error, this);
        }
      }
      return check.call(this, request);
    };
    // The plain paths read the clock only for an engine that records.
    const { recordEvents } = Engine.prototype;
    Engine.prototype.recordEvents = function recordEventsMarked(on, limit) {
      recordEvents.call(this, on, limit);
      this[RECORDING] = on === true;
    };
    wrapMembers(Engine, ['prototype', 'length', 'name', '__wrap'], wrap);
    Object.defineProperty(Engine, '__clearanceGuarded', { value: true });
  }
  return { Engine, diff: wrap(api.diff), lint: wrap(api.lint), validate: wrap(api.validate), version: api.version };
}
