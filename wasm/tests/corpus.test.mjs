// Replays the whole scenario corpus (tests/scenarios/*.json) through the npm
// package in Node and requires every answer to equal the native engine's
// (`clearance test --format json` gives the native answer of every case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, diff, lint } from 'clearance';
import { toSnake, nativeBin } from './support.mjs';

const root = process.env.CLEARANCE_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scenarios = join(root, 'tests/scenarios');

/** A test file's `policy`/`records`/`after`: a path relative to it, or inline JSON. */
function source(value, base) {
  return typeof value === 'string' ? readFileSync(join(base, value), 'utf8') : JSON.stringify(value);
}

/** What the package answers for one case, in the shape `clearance test` reports as `actual`. */
function answer(engine, policyText, recordsText, c) {
  try {
    if (c.request !== undefined) return toSnake(decide(engine, c.request));
    if (c.filter) return engine.filter(c.filter);
    if (c.who_can) return engine.whoCan(c.who_can).map((hit) => hit.user);
    if (c.diff) {
      const result = diff(policyText, c.diff.after, recordsText ?? '[]', c.diff.context);
      return result.changes.map((ch) => [ch.user, ch.record, ch.action, ch.change]);
    }
    return engine.lint().map((f) => [f.code, f.path]);
  } catch (error) {
    assert.ok(error instanceof Error, 'misuse must throw a real Error');
    assert.equal(typeof error.code, 'string');
    assert.equal(error.code, error.errors[0].code);
    return error.errors.map((p) => ({ path: toSnake(p.path), code: p.code, message: p.message }));
  }
}

/**
 * `check`'s decision, after holding the other request paths to it: `check`
 * and the verdict-only `isAllowed` by ids (as callers write requests: plain
 * ones take the four-string path), `checkMany`,
 * and for `create` without a record the handle path `allowsCreate`. Misuse
 * must throw the same code from each.
 */
function decide(engine, request) {
  const { record_id: recordId, ...rest } = request;
  const camel = recordId === undefined ? rest : { ...rest, recordId };
  let decision;
  try {
    decision = engine.check(request);
  } catch (error) {
    for (const other of [() => engine.check(camel), () => engine.isAllowed(camel), () => engine.checkMany([camel])]) {
      assert.throws(other, (e) => e.code === error.code, `${error.code} from every path`);
    }
    throw error;
  }
  assert.deepEqual(engine.check(camel), decision, 'check by ids (the plain-request path) answers as check');
  assert.equal(engine.isAllowed(camel), decision.allowed, 'isAllowed answers as check');
  assert.deepEqual(engine.checkMany([camel, request]), [decision, decision], 'checkMany answers as check');
  const [u, o] = [engine.userHandle(request.user), engine.objectHandle(request.object)];
  if (request.action === 'create' && !request.record && u >= 0 && o >= 0) {
    const c = engine.contextHandle(request.context ?? {});
    assert.equal(engine.allowsCreate(u, o, c), decision.allowed, 'allowsCreate answers as check');
    engine.freeContext(c);
  }
  return decision;
}

const sortByJson = (value) => (Array.isArray(value) ? [...value].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : value);

for (const file of readdirSync(scenarios).filter((f) => f.endsWith('.json')).sort()) {
  test(`corpus ${file}: wasm agrees with native on every case`, () => {
    const path = join(scenarios, file);
    const suite = JSON.parse(readFileSync(path, 'utf8'));
    const native = JSON.parse(execFileSync(nativeBin(root), ['test', '--format', 'json', path], { encoding: 'utf8', maxBuffer: 1 << 28 }).toString());
    const policyText = source(suite.policy, scenarios);
    const recordsText = suite.records === undefined ? undefined : source(suite.records, scenarios);
    const engine = Engine.fromJson(policyText);
    if (recordsText !== undefined) engine.loadRecords(recordsText);
    assert.equal(native.cases.length, suite.cases.length);
    suite.cases.forEach((c, i) => {
      const cas = c.diff ? { ...c, diff: { ...c.diff, after: source(c.diff.after, scenarios) } } : c;
      const actual = answer(engine, policyText, recordsText, cas);
      const expected = native.cases[i].actual;
      const unordered = c.who_can || c.diff || c.lint;
      assert.deepEqual(unordered ? sortByJson(actual) : actual, unordered ? sortByJson(expected) : expected, `${file} :: ${c.name}`);
    });
    engine.free();
  });
}
