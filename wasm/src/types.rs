//! TypeScript declarations of the JSON shapes crossing the boundary. They
//! become part of the generated `.d.ts` (nothing is hand-edited after the
//! build), and CI type-checks a consumer against them with `tsc`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A policy file (see the JSON Schema `policy.schema.json`), as an object or JSON text. */
export type PolicyInput = string | { [key: string]: unknown };
/** A JSON value as the engine accepts it in fields and context. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Access level. */
export type Level = "read" | "edit" | "full";
/** The session context; other keys are application attributes. */
export interface Context { mfa?: boolean; ip?: string; time?: string; [attribute: string]: JsonValue | undefined }
/** A share recipient: exactly one key. */
export type Recipient =
  | { user: string } | { group: string } | { role: string }
  | { roleAndSubordinates: string } | { department: string } | { departmentTree: string };
/** A record (SPEC §5). */
export interface RecordInput {
  id: string; object: string; owner: string; department?: string;
  fields?: { [field: string]: JsonValue };
  team?: { user: string; access: Level }[];
  shares?: { with: Recipient; access: Level }[];
  parent?: RecordInput;
}
/** A request (SPEC §5): the record inline or by `recordId` among the loaded records. */
export interface Request {
  user: string; action: string; object: string;
  record?: RecordInput; recordId?: string; context?: Context; fields?: string[];
}
/** One path that yields a level. */
export interface Reason {
  kind: "owner" | "scope" | "baseline" | "hierarchy" | "peers" | "sharing_rule" | "team" | "manual_share" | "parent";
  level: Level; scope?: string; bundle?: string; baseline?: string; role?: string; ownerRole?: string;
  rule?: string; viaSuperior?: boolean; with?: Recipient; object?: string; record?: string; reasons?: Reason[];
}
/** Deny stages. */
export type Stage =
  | "unknown_user" | "inactive_user" | "mfa_required" | "ip_not_allowed" | "outside_login_hours"
  | "no_privilege" | "no_record_access" | "forbidden" | "field_not_editable";
/** Particulars of a deny. */
export interface Denial {
  user?: string; bundle?: string; missingContext?: string; bundles?: string[]; needs?: Level;
  checked?: string[]; rule?: string; fields?: string[];
}
/** Readable and editable fields. */
export interface FieldSets { read: string[]; edit: string[] }
/** A decision: a deny is a normal result. */
export interface Decision {
  allowed: boolean; level?: Level; stage?: Stage; reasons: Reason[]; denial?: Denial;
  remedy?: "mfa"; fields?: FieldSets; message: string;
}
/** `filter` query; with `reasons: true` the answer is `FilterHit[]`. */
export interface FilterQuery { user: string; action: string; object: string; context?: Context; reasons?: boolean }
/** A record id with the paths granting access. */
export interface FilterHit { id: string; reasons: Reason[] }
/** `whoCan` query: a loaded record's id. */
export interface WhoCanQuery { record: string; action: string; context?: Context }
/** A user with the paths granting access. */
export interface UserReasons { user: string; reasons: Reason[] }
/** `fields` / `redact` query: exactly one of `recordId` and `record`. */
export interface RecordQuery { user: string; recordId?: string; record?: RecordInput; context?: Context }
/** Column mapping for `plan`; every key optional. */
export interface Mapping {
  tables?: { [object: string]: string }; id?: string; owner?: string; department?: string;
  teamTable?: string; sharesTable?: string;
}
/** `plan` query. */
export interface PlanQuery { user: string; action: string; object: string; context?: Context; table?: string; mapping?: Mapping }
/** A parameterised PostgreSQL query: never interpolate, pass `params`. */
export interface SqlPlan { sql: string; where: string; params: JsonValue[] }
/** Gained and lost counts. */
export interface Counts { gained: number; lost: number }
/** One access change. */
export interface Change { user: string; record: string; action: string; change: "gained" | "lost"; reasons: Reason[] }
/** What a policy change does. */
export interface Diff {
  summary: { total: Counts; users: { [user: string]: Counts }; objects: { [object: string]: Counts }; actions: { [action: string]: Counts } };
  changes: Change[];
}
/** A lint finding. */
export interface LintFinding { path: string; code: string; message: string; severity: "error" | "warning" | "info" }
/** One problem of an invalid input. */
export interface Problem { path: string; code: string; message: string }
/** What every thrown error carries besides its message. */
export interface ClearanceError extends Error { code: string; errors: Problem[] }
/** One recorded decision (`docs/activity-events.md`): a line of an activity log. */
export interface DecisionEvent {
  revision?: number; time: string; user: string; action: string; object: string; record?: string;
  allowed: boolean; stage?: Stage; reasons?: Reason["kind"][]; bundle?: string;
  ip?: string; mfa?: boolean; fields?: string[];
}
/** `Engine.fromBundle` options: accept an unsigned bundle; refuse a revision older than `minRevision` (`stale_bundle`). */
export interface BundleOptions { allowUnsigned?: boolean; minRevision?: number }
/** A trusted public key (32 bytes or 64 hex digits), or one retired from `retiredAt` (RFC 3339) on. */
export type TrustedKey = Uint8Array | string | { key: Uint8Array | string; retiredAt?: string };
/** One trusted key, or several (a key rotation). */
export type TrustedKeys = TrustedKey | TrustedKey[];
/** What a bundle says about itself (`Engine.bundleStamp`), covered by its signature. */
export interface BundleStamp { revision: number; policyHash: string; issuedAt: string; notAfter: string | null; keyId: string | null }
"#;
