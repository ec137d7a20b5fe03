/**
 * Runtime shape checks for the proxy's JSON responses (contract §4, §1.6).
 * Every body the client returns passes one of these first, so a typed value
 * is never a cast of untrusted JSON. Checks require the members the client
 * types declare and ignore extra members (the proxy may add fields).
 *
 * @module
 */

import { isRecord } from '../util/values.ts';
import type {
  BundleFiles,
  BundleFileValue,
  CallResponse,
  HealthResponse,
  HelpResponse,
  JsonValue,
  JwksResponse,
  ProxyJwk,
  ResolvedSkill,
  SkillatiCatalog,
  SkillatiCatalogEntry,
  SkillatiFile,
  SkillatiRef,
  SkillatiRefs,
  SkillatiResources,
  SkillatiSkill,
  SkillBundle,
  SkillBundleBatch,
  SkillDetail,
  SkillListEntry,
  SkillMetaDetail,
  ToolDetail,
  ToolListEntry,
} from './types.ts';

/** An array whose every element is a string. */
export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** A string or `null`. */
export function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function isOptional<T>(value: unknown, check: (v: unknown) => v is T): value is T | undefined {
  return value === undefined || check(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** A non-negative safe integer (the proxy's counts; larger ones would lose precision). */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A value `JSON.parse` could have produced. `JSON.parse` output always is one;
 * this exists so that `unknown` narrows to {@link JsonValue} without a cast.
 */
export function isJsonValue(value: unknown): value is JsonValue {
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

function has(record: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(record, key);
}

/** `{"error": "<text>"}` (contract §4.1): returns the text, else `undefined`. */
export function proxyErrorText(body: unknown): string | undefined {
  return isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
}

/** `GET /health` (contract §4.2). */
export function isHealthResponse(value: unknown): value is HealthResponse {
  return (
    isRecord(value) &&
    isString(value.status) &&
    isString(value.version) &&
    isCount(value.tools) &&
    isCount(value.providers) &&
    isCount(value.skills) &&
    isString(value.auth) &&
    isString(value.db)
  );
}

function isProxyJwk(value: unknown): value is ProxyJwk {
  return (
    isRecord(value) &&
    isString(value.alg) &&
    isString(value.kid) &&
    isString(value.kty) &&
    isString(value.use) &&
    isStringArray(value.x5c)
  );
}

/** `GET /.well-known/jwks.json` (contract §1.6). */
export function isJwksResponse(value: unknown): value is JwksResponse {
  return isRecord(value) && Array.isArray(value.keys) && value.keys.every(isProxyJwk);
}

/** One `GET /tools` entry (contract §4.2). */
export function isToolListEntry(value: unknown): value is ToolListEntry {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isString(value.description) &&
    isString(value.provider) &&
    isString(value.method) &&
    isStringArray(value.tags) &&
    isStringArray(value.skills) &&
    has(value, 'input_schema') &&
    isJsonValue(value.input_schema)
  );
}

/** `GET /tools` (contract §4.2). */
export function isToolList(value: unknown): value is ToolListEntry[] {
  return Array.isArray(value) && value.every(isToolListEntry);
}

/** `GET /tools/{name}` (contract §4.1). */
export function isToolDetail(value: unknown): value is ToolDetail {
  return (
    isToolListEntry(value) &&
    isRecord(value) &&
    isString(value.endpoint) &&
    isNullableString(value.hint) &&
    isNullableString(value.scope)
  );
}

function isSkillListEntry(value: unknown): value is SkillListEntry {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isString(value.version) &&
    isString(value.description) &&
    isStringArray(value.tools) &&
    isStringArray(value.providers) &&
    isStringArray(value.categories) &&
    isNullableString(value.hint)
  );
}

/** `GET /skills` (contract §4.2). */
export function isSkillList(value: unknown): value is SkillListEntry[] {
  return Array.isArray(value) && value.every(isSkillListEntry);
}

/** `GET /skills/{name}` with or without `refs=true` (contract §4.2). */
export function isSkillDetail(value: unknown): value is SkillDetail {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isString(value.version) &&
    isString(value.description) &&
    isString(value.content) &&
    isOptional(value.references, isStringArray)
  );
}

/** `GET /skills/{name}?meta=true` (contract §4.2). */
export function isSkillMetaDetail(value: unknown): value is SkillMetaDetail {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isString(value.version) &&
    isString(value.description) &&
    isNullableString(value.author) &&
    isStringArray(value.tools) &&
    isStringArray(value.providers) &&
    isStringArray(value.categories) &&
    isStringArray(value.keywords) &&
    isNullableString(value.hint) &&
    isStringArray(value.depends_on) &&
    isStringArray(value.suggests) &&
    isNullableString(value.license) &&
    isNullableString(value.compatibility) &&
    isNullableString(value.allowed_tools) &&
    isString(value.format)
  );
}

function isResolvedSkill(value: unknown): value is ResolvedSkill {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isString(value.version) &&
    isString(value.description) &&
    isStringArray(value.tools) &&
    isStringArray(value.providers) &&
    isStringArray(value.categories) &&
    isOptional(value.content, isString)
  );
}

/** `POST /skills/resolve` (contract §4.1). */
export function isResolvedSkillList(value: unknown): value is ResolvedSkill[] {
  return Array.isArray(value) && value.every(isResolvedSkill);
}

function isBundleFileValue(value: unknown): value is BundleFileValue {
  return typeof value === 'string' || (isRecord(value) && isString(value.base64));
}

/** A bundle's `files` map (contract §4.1): every value a string or `{ base64 }`. */
export function isBundleFiles(value: unknown): value is BundleFiles {
  return isRecord(value) && Object.values(value).every(isBundleFileValue);
}

/** `GET /skills/{name}/bundle` (contract §4.1). */
export function isSkillBundle(value: unknown): value is SkillBundle {
  return isRecord(value) && isString(value.name) && isBundleFiles(value.files);
}

/** `POST /skills/bundle` (contract §4.1). */
export function isSkillBundleBatch(value: unknown): value is SkillBundleBatch {
  return (
    isRecord(value) &&
    isStringArray(value.missing) &&
    isRecord(value.skills) &&
    Object.values(value.skills).every((skill) => isRecord(skill) && isBundleFiles(skill.files))
  );
}

function isSkillatiCatalogEntry(value: unknown): value is SkillatiCatalogEntry {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isString(value.description) &&
    isString(value.skill_directory) &&
    isOptional(value.when_to_use, isString) &&
    isOptional(value.keywords, isStringArray) &&
    isOptional(value.tools, isStringArray) &&
    isOptional(value.providers, isStringArray) &&
    isOptional(value.categories, isStringArray) &&
    isOptional(value.resources, isStringArray)
  );
}

/** `GET /skillati/catalog` (contract §4.1). */
export function isSkillatiCatalog(value: unknown): value is SkillatiCatalog {
  return isRecord(value) && Array.isArray(value.skills) && value.skills.every(isSkillatiCatalogEntry);
}

/** `GET /skillati/{name}` (contract §4.2). */
export function isSkillatiSkill(value: unknown): value is SkillatiSkill {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isString(value.description) &&
    isString(value.skill_directory) &&
    isString(value.content)
  );
}

/** `GET /skillati/{name}/resources` (contract §4.2). */
export function isSkillatiResources(value: unknown): value is SkillatiResources {
  return (
    isRecord(value) &&
    isString(value.name) &&
    isNullableString(value.prefix) &&
    isStringArray(value.resources)
  );
}

/** `GET /skillati/{name}/file` (contract §4.2). */
export function isSkillatiFile(value: unknown): value is SkillatiFile {
  if (
    !isRecord(value) ||
    !isString(value.requested_skill) ||
    !isString(value.resolved_skill) ||
    !isString(value.path) ||
    !isString(value.content)
  ) {
    return false;
  }
  return value.kind === 'text' || (value.kind === 'binary' && isString(value.encoding));
}

/** `GET /skillati/{name}/refs` (contract §4.2). */
export function isSkillatiRefs(value: unknown): value is SkillatiRefs {
  return isRecord(value) && isString(value.name) && isStringArray(value.references);
}

/** `GET /skillati/{name}/ref/{reference}` (contract §4.2). */
export function isSkillatiRef(value: unknown): value is SkillatiRef {
  return isRecord(value) && isString(value.name) && isString(value.reference) && isString(value.content);
}

/** `POST /call` 200 (contract §4.2): `result` must be present (it may be `null`). */
export function isCallResponse(value: unknown): value is CallResponse {
  return (
    isRecord(value) && has(value, 'result') && isJsonValue(value.result) && isOptional(value.error, isString)
  );
}

/** `POST /help` 200 (contract §4.2). */
export function isHelpResponse(value: unknown): value is HelpResponse {
  return isRecord(value) && isString(value.content) && isOptional(value.error, isString);
}
