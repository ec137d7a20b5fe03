/**
 * `ati-dev-proxy/fetch`: the dev proxy as a Web fetch handler only, for
 * runtimes without `node:` modules (workerd without `nodejs_compat`, browsers,
 * service workers). {@link createDevProxy} and {@link sampleFixtures}, as in
 * the `.` entry, without `startDevProxy` and `loadSkillsDir` (node:http,
 * node:fs). Under the `workerd` and `worker` conditions the `.` entry
 * resolves here too.
 *
 * @example
 * ```ts
 * import { createDevProxy, sampleFixtures } from 'ati-dev-proxy/fetch';
 * const proxy = createDevProxy({ ...sampleFixtures, secret: env.ATI_JWT_SECRET });
 * export default { fetch: (req: Request) => proxy.fetch(req) };
 * ```
 *
 * @module
 */

export { sampleFixtures } from './fixtures.ts';
export { createDevProxy } from './proxy.ts';
export type { DevJson } from './serde-json.ts';
export type {
  DevCallContext,
  DevCatalogEntry,
  DevHelpContext,
  DevHelpRequest,
  DevProvider,
  DevProxy,
  DevProxyOptions,
  DevSignatureEvent,
  DevSignatureOptions,
  DevSkill,
  DevTool,
  DevToolMethod,
} from './types.ts';
