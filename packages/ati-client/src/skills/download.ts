/**
 * Skill downloads and the skill listing over an `AtiProxyClient`: the work
 * behind `AtiOrchestrator.downloadSkills` and friends, usable without a
 * signing key (the CLI holds only a session token).
 *
 * The download functions take a `connect` callback rather than a client, so
 * skill names are checked before the client (and its token) is: a bad name is
 * reported as `ERR_SKILL_NAME_UNSAFE` whatever else is wrong.
 *
 * @module
 */
import type { AtiProxyClient } from '../client/client.ts';
import { SkillError } from '../errors.ts';
import { isRecord, mapLimit, setOwn } from '../util/values.ts';
import { formatSkillListing } from './listing.ts';

/** Progress of `AtiOrchestrator.downloadSkills`. */
export interface DownloadProgress {
  /** Skills written so far. */
  done: number;
  /** Skills the server returned. */
  total: number;
  /** The skill just written. */
  name: string;
}

/** What `AtiOrchestrator.downloadSkills` returns. */
export interface DownloadSkillsResult {
  /** Skill name → absolute directory written, in the order the proxy returned the skills. */
  written: Record<string, string>;
  /** Names the proxy did not return (unknown or not visible to the token), in request order. */
  missing: string[];
}

/** Skills written to disk at once by {@link downloadSkillBundles}. */
const SKILL_WRITE_CONCURRENCY = 4;

/** `GET /skills/:name/bundle` into `destDir/<name>`, atomically. See `AtiOrchestrator.downloadSkill`. */
export async function downloadSkillBundle(
  connect: () => AtiProxyClient,
  name: string,
  destDir: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<string> {
  const writer = await import('#skill-writer');
  if (!writer.isSafeSkillName(name)) throw new SkillError('ERR_SKILL_NAME_UNSAFE', 'Unsafe skill name');
  const bundle = await connect().getSkillBundle(name, { signal: options.signal });
  return writer.writeSkillBundle(destDir, name, bundle.files);
}

/** `POST /skills/bundle` into `destDir`, each skill atomically. See `AtiOrchestrator.downloadSkills`. */
export async function downloadSkillBundles(
  connect: () => AtiProxyClient,
  names: readonly string[],
  destDir: string,
  options: {
    signal?: AbortSignal | undefined;
    onProgress?: ((p: DownloadProgress) => void) | undefined;
  } = {},
): Promise<DownloadSkillsResult> {
  const writer = await import('#skill-writer');
  for (const n of names) {
    if (!writer.isSafeSkillName(n)) throw new SkillError('ERR_SKILL_NAME_UNSAFE', 'Unsafe skill name');
  }
  const requested = new Set(names);
  const batch = await connect().getSkillBundles([...names], { signal: options.signal });
  const entries = Object.entries(batch.skills);
  for (const [name] of entries) {
    if (!requested.has(name)) {
      throw new SkillError('ERR_SKILL_BUNDLE_INVALID', 'The proxy returned a skill that was not requested');
    }
  }
  let done = 0;
  // A few skills at a time: each write is its own temp directory and rename.
  const dirs = await mapLimit(entries, SKILL_WRITE_CONCURRENCY, async ([name, bundle]) => {
    const dir = await writer.writeSkillBundle(destDir, name, bundle.files);
    options.onProgress?.({ done: ++done, total: entries.length, name });
    return dir;
  });
  // In the server's order, not the order the writes finished in (which changes from run to run).
  const written: Record<string, string> = {};
  for (const [i, [name]] of entries.entries()) setOwn(written, name, dirs[i]!);
  return { written, missing: [...batch.missing] };
}

/** `GET /skillati/catalog`, formatted. See `AtiOrchestrator.buildSkillListing`. */
export async function fetchSkillListing(
  client: AtiProxyClient,
  options: { search?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<string> {
  // Python formats `payload["skills"]` if the payload is an object, else [] (contract §5.2).
  const payload = await client.getJson('/skillati/catalog', {
    query: { search: options.search },
    signal: options.signal,
  });
  const skills = isRecord(payload) ? payload.skills : undefined;
  return formatSkillListing(Array.isArray(skills) ? skills : []);
}
