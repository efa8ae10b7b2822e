// Type-checked by tsc in CI against the installed package: the generated
// declarations must describe the API as callers use it.
import { Engine, diff, lint, validate, type Decision, type ClearanceError, type FilterHit } from 'clearance';

const policy = { schema: { objects: { Account: { fields: { name: { type: 'string' } } } } }, roles: [{ id: 'rep' }], users: [{ id: 'ann', role: 'rep', profile: 'sales' }], bundles: { profiles: { sales: { objects: { Account: { read: 'own' } } } } } };
const engine: Engine = Engine.fromJson(policy);
const count: number = engine.loadRecords([{ id: 'a1', object: 'Account', owner: 'ann', fields: { name: 'Acme' } }]);
const decision: Decision = engine.check({ user: 'ann', action: 'read', object: 'Account', recordId: 'a1', context: { mfa: true } });
const allowed: boolean = decision.allowed && count > 0;
const ids = engine.filter({ user: 'ann', action: 'read', object: 'Account' }) as string[];
const hits = engine.filter({ user: 'ann', action: 'read', object: 'Account', reasons: true }) as FilterHit[];
const users: string[] = engine.whoCan({ record: 'a1', action: 'read' }).map((u) => u.user);
const readable: string[] | undefined = engine.fields({ user: 'ann', recordId: 'a1' })?.read;
const redacted = engine.redact({ user: 'ann', recordId: 'a1' });
const sql: string = engine.plan({ user: 'ann', action: 'read', object: 'Account', table: 'accounts' }).sql;
const u: number = engine.userHandle('ann');
const verdicts: Uint8Array = engine.checkHandles(new Float64Array([u]), [engine.actionHandle('read')], new Float64Array([engine.recordHandle('a1')]), 0);
const c: number = engine.contextHandle({ mfa: true });
const mayCreate: boolean = engine.allowsCreate(u, engine.objectHandle('Account'), c);
const verdict: boolean = engine.isAllowed({ user: 'ann', action: 'read', object: 'Account', recordId: 'a1' }) && mayCreate;
engine.freeContext(c);
const findings = lint(policy).map((f) => f.code);
const changes = diff(policy, policy, '[]').summary.total.gained;
const problems = validate('{').map((p) => p.path);
try {
  Engine.fromJson('{');
} catch (e) {
  const error = e as ClearanceError;
  console.log(error.code, error.errors.length);
}
console.log(allowed, ids, hits, users, readable, redacted?.id, sql, verdicts, findings, changes, problems);
engine.free();
