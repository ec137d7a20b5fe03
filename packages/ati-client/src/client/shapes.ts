/**
 * The proxy's wire shapes, declared once: one runtime check per member of
 * each response type in `types.ts`. The client's guards (`guards.ts`) are
 * built from these tables and the dev proxy (`ati-dev-proxy`) serializes its
 * bodies through them, so a member added to a type is a compile error in
 * its table until it is declared here, and then checked by the client and
 * written by the dev proxy.
 *
 * A table is typed {@link Shape}: exactly the members of its type, each with
 * a check that narrows to the member's type (optional members take an
 * {@link optional} check).
 *
 * @module
 */

import { isRecord } from '../util/values.ts';
import type * as Wire from './types.ts';

/** A runtime check that narrows `unknown` to `T`. */
export type Check<T> = (value: unknown) => value is T;

/** One check per member of `T`, optional members included. */
export type Shape<T> = { readonly [K in keyof T]-?: Check<T[K]> };

/** A string. */
export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** An array whose every element is a string. */
export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** A string or `null`. */
export function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** A non-negative safe integer. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The check of an optional member: absent, or passing `check`. */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value): value is T | undefined => value === undefined || check(value);
}

/**
 * A value `JSON.parse` could have produced. `JSON.parse` output always is one;
 * this exists so that `unknown` narrows to {@link Wire.JsonValue} without a cast.
 * `undefined` (an absent member) is not one.
 */
export function isJsonValue(value: unknown): value is Wire.JsonValue {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return false;
      continue;
    }
    if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
      continue;
    }
    if (isRecord(item)) {
      for (const key of Object.keys(item)) stack.push(item[key]);
      continue;
    }
    return false;
  }
  return true;
}

/** The guard of a shape: an object whose every declared member passes its check (extra members are ignored). */
export function guardOf<T>(shape: Shape<T>): Check<T> {
  const checks = Object.entries(shape) as [string, Check<unknown>][];
  return (value): value is T => isRecord(value) && checks.every(([key, check]) => check(value[key]));
}

/** An array of `check`'s values. */
export function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.every(check);
}

function isBundleFileValue(value: unknown): value is Wire.BundleFileValue {
  return typeof value === 'string' || (isRecord(value) && isString(value.base64));
}

/** A bundle's `files` map (contract §4.1): every value a string or `{ base64 }`. */
export function isBundleFiles(value: unknown): value is Wire.BundleFiles {
  return isRecord(value) && Object.values(value).every(isBundleFileValue);
}

/** RFC 3339 as the proxy prints it (contract §9): UTC, `Z`, optional fraction. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** An RFC 3339 timestamp as the proxy prints it, naming a real instant. */
export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/** {@link isTimestamp}, or `null`. */
export function isNullableTimestamp(value: unknown): value is string | null {
  return value === null || isTimestamp(value);
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

// ---------------------------------------------------------------------------
// The shapes
// ---------------------------------------------------------------------------

/** `GET /health` (contract §4.2). */
const HEALTH: Shape<Wire.HealthResponse> = {
  status: isString,
  version: isString,
  tools: isCount,
  providers: isCount,
  skills: isCount,
  auth: isString,
  db: isString,
};

/** One `GET /tools` entry (contract §4.2). */
const TOOL_LIST_ENTRY: Shape<Wire.ToolListEntry> = {
  name: isString,
  description: isString,
  provider: isString,
  method: isString,
  tags: isStringArray,
  skills: isStringArray,
  input_schema: isJsonValue,
};

/** `GET /tools/{name}` (contract §4.1). */
const TOOL_DETAIL: Shape<Wire.ToolDetail> = {
  ...TOOL_LIST_ENTRY,
  endpoint: isString,
  hint: isNullableString,
  scope: isNullableString,
};

/** The members every skill summary has (list entry, resolved skill). */
const SKILL_SUMMARY = {
  name: isString,
  version: isString,
  description: isString,
  tools: isStringArray,
  providers: isStringArray,
  categories: isStringArray,
} as const;

/** One `GET /skills` entry (contract §4.2). */
const SKILL_LIST_ENTRY: Shape<Wire.SkillListEntry> = { ...SKILL_SUMMARY, hint: isNullableString };

/** One `POST /skills/resolve` entry (contract §4.1). */
const RESOLVED_SKILL: Shape<Wire.ResolvedSkill> = { ...SKILL_SUMMARY, content: optional(isString) };

/** `GET /skills/{name}` with or without `refs=true` (contract §4.2). */
const SKILL_DETAIL: Shape<Wire.SkillDetail> = {
  name: isString,
  version: isString,
  description: isString,
  content: isString,
  references: optional(isStringArray),
};

/** `GET /skills/{name}?meta=true` (contract §4.2). */
const SKILL_META_DETAIL: Shape<Wire.SkillMetaDetail> = {
  ...SKILL_SUMMARY,
  author: isNullableString,
  keywords: isStringArray,
  hint: isNullableString,
  depends_on: isStringArray,
  suggests: isStringArray,
  license: isNullableString,
  compatibility: isNullableString,
  allowed_tools: isNullableString,
  format: isString,
};

/** `GET /skills/{name}/bundle` (contract §4.1). */
const SKILL_BUNDLE: Shape<Wire.SkillBundle> = { name: isString, files: isBundleFiles };

/** One `GET /skillati/catalog` entry (contract §4.1): optional members omitted when empty. */
const SKILLATI_CATALOG_ENTRY: Shape<Wire.SkillatiCatalogEntry> = {
  name: isString,
  description: isString,
  skill_directory: isString,
  when_to_use: optional(isString),
  keywords: optional(isStringArray),
  tools: optional(isStringArray),
  providers: optional(isStringArray),
  categories: optional(isStringArray),
  resources: optional(isStringArray),
};

/** `GET /skillati/{name}` (contract §4.2). */
const SKILLATI_SKILL: Shape<Wire.SkillatiSkill> = {
  name: isString,
  description: isString,
  skill_directory: isString,
  content: isString,
};

/** `GET /skillati/{name}/resources` (contract §4.2). */
const SKILLATI_RESOURCES: Shape<Wire.SkillatiResources> = {
  name: isString,
  prefix: isNullableString,
  resources: isStringArray,
};

/** `GET /skillati/{name}/refs` (contract §4.2). */
const SKILLATI_REFS: Shape<Wire.SkillatiRefs> = { name: isString, references: isStringArray };

/** `GET /skillati/{name}/ref/{reference}` (contract §4.2). */
const SKILLATI_REF: Shape<Wire.SkillatiRef> = { name: isString, reference: isString, content: isString };

/** Every wire shape, by response (see the module comment). */
/** The admin API's key object (contract §9). */
const ADMIN_KEY: Shape<Wire.AdminKeyWire> = {
  token_hash: isString,
  key_alias: isString,
  user_id: isString,
  blocked: isBoolean,
  expires_at: isNullableTimestamp,
  tools: isStringArray,
  providers: isStringArray,
  categories: isStringArray,
  skills: isStringArray,
  request_count: isCount,
  error_count: isCount,
  last_used_at: isNullableTimestamp,
  metadata: isJsonValue,
  created_at: isTimestamp,
  created_by: isNullableString,
};

export const SHAPES = {
  health: HEALTH,
  toolListEntry: TOOL_LIST_ENTRY,
  toolDetail: TOOL_DETAIL,
  skillListEntry: SKILL_LIST_ENTRY,
  resolvedSkill: RESOLVED_SKILL,
  skillDetail: SKILL_DETAIL,
  skillMetaDetail: SKILL_META_DETAIL,
  skillBundle: SKILL_BUNDLE,
  skillatiCatalogEntry: SKILLATI_CATALOG_ENTRY,
  skillatiSkill: SKILLATI_SKILL,
  skillatiResources: SKILLATI_RESOURCES,
  skillatiRefs: SKILLATI_REFS,
  skillatiRef: SKILLATI_REF,
  adminKey: ADMIN_KEY,
} as const;
