// `check`'s decision built from the numbers the engine answers a plain
// request with (core/src/compact.rs lays them out) and the engine's names,
// asked for once per engine: the same object `check` answers as JSON
// (wasm/tests/decision.test.mjs compares the two), without writing,
// decoding and parsing JSON text on every call. scripts/package.sh puts
// this file before guard.js in one module.

const NAMES = Symbol('clearance.decisionNames');
const camel = (name) => name.replace(/_(.)/g, (_, c) => c.toUpperCase());
const LISTS = ['levels', 'stages', 'scopes', 'baselines', 'kinds', 'recipientKeys', 'recipientLists', 'missing', 'objects', 'bundles', 'roles', 'sharing', 'forbid', 'users', 'groups', 'departments'];

/**
 * The engine's names (core/src/compact.rs `names`: lists in `LISTS` order,
 * then each object's fields), with each recipient kind's JSON key and id
 * list resolved.
 */
function namesOf(engine, ask) {
  let names = engine[NAMES];
  if (!names) {
    const lists = JSON.parse(ask.call(engine));
    names = Object.fromEntries(LISTS.map((name, i) => [name, lists[i]]));
    names.fields = lists.slice(LISTS.length);
    names.recipients = names.recipientKeys.map((key, i) => [camel(key), names[names.recipientLists[i]]]);
    Object.defineProperty(engine, NAMES, { value: names });
  }
  return names;
}

// The answer being read and where: module state, as reading is synchronous.
let text = '';
let at = 0;

/** The next word of `text` (core/src/compact.rs `push_word`: 6-bit digits, lowest first). */
function next() {
  let word = 0;
  let scale = 1;
  let unit = text.charCodeAt(at++);
  while (unit >= 0x40) {
    word += (unit - 0x40) * scale;
    scale *= 0x40;
    unit = text.charCodeAt(at++);
  }
  return word + unit * scale;
}

/** `count` names of `list`, read from the next words. */
function listOf(list) {
  const count = next();
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = list[next()];
  return out;
}

/** One reason from its next four words. */
function reasonOf(names) {
  const reason = { kind: names.kinds[next()], level: names.levels[next()] };
  const a = next();
  const b = next();
  switch (reason.kind) {
    case 'scope':
      reason.scope = names.scopes[a];
      reason.bundle = names.bundles[b];
      break;
    case 'baseline':
      reason.baseline = names.baselines[a];
      break;
    case 'hierarchy':
      reason.role = names.roles[a];
      reason.ownerRole = names.roles[b];
      break;
    case 'peers':
      reason.role = names.roles[a];
      break;
    case 'sharing_rule':
      reason.rule = names.sharing[a];
      reason.viaSuperior = b === 1;
      break;
    case 'manual_share': {
      const [key, ids] = names.recipients[a];
      reason.with = { [key]: ids[b] };
      break;
    }
    default:
  }
  return reason;
}

/** The denial of `stage`, from the next words. */
function denialOf(names, stage, user, fields) {
  switch (stage) {
    case 'unknown_user':
    case 'inactive_user':
      return { user };
    case 'no_privilege':
      return { bundles: listOf(names.bundles) };
    case 'no_record_access': {
      const needs = names.levels[next()];
      return { needs, checked: names.kinds.slice(0, next()) };
    }
    case 'forbidden':
      return { rule: names.forbid[next()] };
    case 'field_not_editable':
      return { fields: listOf(fields) };
    default: {
      // The session stages: a bundle, and the context attribute missing.
      const denial = { bundle: names.bundles[next()] };
      const missing = next();
      if (missing > 0) denial.missingContext = names.missing[missing - 1];
      return denial;
    }
  }
}

/** The decision `answer` says (its words, then its message), for a request by `user`. */
function decisionOf(answer, names, user) {
  text = answer;
  at = 0;
  const flags = next();
  const decision = { allowed: (flags & 1) === 1 };
  const level = next();
  const stage = next();
  const fields = names.fields[next()];
  if (flags & 2) decision.level = names.levels[level];
  if (flags & 16) decision.stage = names.stages[stage];
  const count = next();
  const reasons = new Array(count);
  for (let i = 0; i < count; i++) reasons[i] = reasonOf(names);
  decision.reasons = reasons;
  if (flags & 16) decision.denial = denialOf(names, decision.stage, user, fields);
  if (flags & 4) decision.remedy = 'mfa';
  if (flags & 8) {
    const read = listOf(fields);
    decision.fields = { read, edit: listOf(fields) };
  }
  decision.message = text.slice(at);
  text = '';
  return decision;
}
