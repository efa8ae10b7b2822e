// `check`'s decision built from the numbers the engine answers a plain
// request with (core/src/compact.rs lays them out) and the engine's names,
// asked for once per engine: the same object `check` answers as JSON
// (wasm/tests/decision.test.mjs compares the two), without writing,
// decoding and parsing JSON text on every call. scripts/package.sh puts
// this file before guard.js in one module.

const utf8 = new TextDecoder();
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

/** One reason from its four words. */
function reasonOf(names, kind, level, a, b) {
  const reason = { kind: names.kinds[kind], level: names.levels[level] };
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

/** `count` names of `list` read from `words` at `at`. */
function listOf(words, at, count, list) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = list[words[at + i]];
  return out;
}

/** The denial of `stage` read at `at`, and where its words end. */
function denialOf(names, stage, words, at, user, fields) {
  switch (stage) {
    case 'unknown_user':
    case 'inactive_user':
      return [{ user }, at];
    case 'no_privilege':
      return [{ bundles: listOf(words, at + 1, words[at], names.bundles) }, at + 1 + words[at]];
    case 'no_record_access':
      return [{ needs: names.levels[words[at]], checked: names.kinds.slice(0, words[at + 1]) }, at + 2];
    case 'forbidden':
      return [{ rule: names.forbid[words[at]] }, at + 1];
    case 'field_not_editable':
      return [{ fields: listOf(words, at + 1, words[at], fields) }, at + 1 + words[at]];
    default: {
      // The session stages: a bundle, and the context attribute missing.
      const denial = { bundle: names.bundles[words[at]] };
      if (words[at + 1] > 0) denial.missingContext = names.missing[words[at + 1] - 1];
      return [denial, at + 2];
    }
  }
}

/** The decision the words say, for a request by `user`. */
function decisionOf(words, names, user) {
  const flags = words[0];
  const decision = { allowed: (flags & 1) === 1 };
  if (flags & 2) decision.level = names.levels[words[1]];
  if (flags & 16) decision.stage = names.stages[words[2]];
  const fields = names.fields[words[3]];
  const count = words[4];
  const reasons = new Array(count);
  let at = 5;
  for (let i = 0; i < count; i++, at += 4) reasons[i] = reasonOf(names, words[at], words[at + 1], words[at + 2], words[at + 3]);
  decision.reasons = reasons;
  if (flags & 16) [decision.denial, at] = denialOf(names, decision.stage, words, at, user, fields);
  if (flags & 4) decision.remedy = 'mfa';
  if (flags & 8) {
    const read = listOf(words, at + 1, words[at], fields);
    at += 1 + words[at];
    decision.fields = { read, edit: listOf(words, at + 1, words[at], fields) };
    at += 1 + words[at];
  }
  const length = words[words.length - 1];
  decision.message = utf8.decode(new Uint8Array(words.buffer, words.byteOffset + at * 4, length));
  return decision;
}
