// Helpers shared by the package's tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The API's multi-word keys: JavaScript's camelCase for the engine's snake_case (the contract of SPEC §6). */
const KEYS = {
  recordId: 'record_id', ownerRole: 'owner_role', viaSuperior: 'via_superior', missingContext: 'missing_context',
  teamTable: 'team_table', sharesTable: 'shares_table', roleAndSubordinates: 'role_and_subordinates', departmentTree: 'department_tree',
};
/** Keys whose object values are user data, never renamed. */
const DATA = new Set(['fields', 'context', 'tables', 'users', 'objects', 'actions']);

/** The engine's (CLI's) form of a JavaScript answer: a JSON Pointer or a JSON value. */
export function toSnake(value) {
  if (typeof value === 'string') return value.split('/').map((t) => KEYS[t] ?? t).join('/');
  if (Array.isArray(value)) return value.map(toSnake);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [KEYS[k] ?? k, DATA.has(k) && v && typeof v === 'object' && !Array.isArray(v) ? v : typeof v === 'string' ? v : toSnake(v)]),
    );
  }
  return value;
}

/** The native CLI built by cargo (CLEARANCE_BIN overrides). */
export function nativeBin(root) {
  const bin = process.env.CLEARANCE_BIN ?? join(root, 'target/debug/clearance');
  if (!existsSync(bin)) throw new Error(`native CLI not found at ${bin}: run cargo build -p clearance-cli`);
  return bin;
}
