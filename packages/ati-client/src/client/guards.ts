/**
 * Runtime shape checks for the proxy's JSON responses (contract §4, §1.6).
 * Every body the client returns passes one of these first, so a typed value
 * is never a cast of untrusted JSON. Checks require the members the client
 * types declare and ignore extra members (the proxy may add fields). Most
 * are built from the wire shapes in `shapes.ts`, which the dev proxy
 * serializes through too.
 *
 * @module
 */

import { isRecord } from '../util/values.ts';
import {
  arrayOf,
  guardOf,
  isBundleFiles,
  isJsonValue,
  isString,
  isStringArray,
  optional,
  SHAPES,
} from './shapes.ts';
import type {
  CallResponse,
  HelpResponse,
  JwksResponse,
  ProxyJwk,
  SkillatiCatalog,
  SkillatiFile,
  SkillBundleBatch,
} from './types.ts';

export { isBundleFiles, isCount, isJsonValue, isNullableString, isStringArray } from './shapes.ts';

const isOptionalString = optional(isString);

function has(record: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(record, key);
}

/** `{"error": "<text>"}` (contract §4.1): returns the text, else `undefined`. */
export function proxyErrorText(body: unknown): string | undefined {
  return isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
}

/** `GET /health` (contract §4.2). */
export const isHealthResponse = guardOf(SHAPES.health);

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
export const isToolListEntry = guardOf(SHAPES.toolListEntry);

/** `GET /tools` (contract §4.2). */
export const isToolList = arrayOf(isToolListEntry);

/** `GET /tools/{name}` (contract §4.1). */
export const isToolDetail = guardOf(SHAPES.toolDetail);

/** `GET /skills` (contract §4.2). */
export const isSkillList = arrayOf(guardOf(SHAPES.skillListEntry));

/** `GET /skills/{name}` with or without `refs=true` (contract §4.2). */
export const isSkillDetail = guardOf(SHAPES.skillDetail);

/** `GET /skills/{name}?meta=true` (contract §4.2). */
export const isSkillMetaDetail = guardOf(SHAPES.skillMetaDetail);

/** `POST /skills/resolve` (contract §4.1). */
export const isResolvedSkillList = arrayOf(guardOf(SHAPES.resolvedSkill));

/** `GET /skills/{name}/bundle` (contract §4.1). */
export const isSkillBundle = guardOf(SHAPES.skillBundle);

/** `POST /skills/bundle` (contract §4.1). */
export function isSkillBundleBatch(value: unknown): value is SkillBundleBatch {
  return (
    isRecord(value) &&
    isStringArray(value.missing) &&
    isRecord(value.skills) &&
    Object.values(value.skills).every((skill) => isRecord(skill) && isBundleFiles(skill.files))
  );
}

const isSkillatiCatalogEntry = guardOf(SHAPES.skillatiCatalogEntry);

/** `GET /skillati/catalog` (contract §4.1). */
export function isSkillatiCatalog(value: unknown): value is SkillatiCatalog {
  return isRecord(value) && Array.isArray(value.skills) && value.skills.every(isSkillatiCatalogEntry);
}

/** `GET /skillati/{name}` (contract §4.2). */
export const isSkillatiSkill = guardOf(SHAPES.skillatiSkill);

/** `GET /skillati/{name}/resources` (contract §4.2). */
export const isSkillatiResources = guardOf(SHAPES.skillatiResources);

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
export const isSkillatiRefs = guardOf(SHAPES.skillatiRefs);

/** `GET /skillati/{name}/ref/{reference}` (contract §4.2). */
export const isSkillatiRef = guardOf(SHAPES.skillatiRef);

/** `POST /call` 200 (contract §4.2): `result` must be present (it may be `null`). */
export function isCallResponse(value: unknown): value is CallResponse {
  return (
    isRecord(value) && has(value, 'result') && isJsonValue(value.result) && isOptionalString(value.error)
  );
}

/** `POST /help` 200 (contract §4.2). */
export function isHelpResponse(value: unknown): value is HelpResponse {
  return isRecord(value) && isString(value.content) && isOptionalString(value.error);
}
