/**
 * `ati-dev-proxy`: an ATI-compatible dev proxy for tests and demos.
 *
 * - {@link createDevProxy}: the proxy's HTTP API as a Web fetch handler
 *   (auth, scopes, rate limits, skills, SkillATI catalog, `/call`, `/mcp`);
 * - {@link startDevProxy}: the same on a local node:http port;
 * - {@link loadSkillsDir}: an ATI skills directory from disk;
 * - {@link sampleFixtures}: tools, skills and a catalog to serve.
 *
 * With `signatures`, it also checks sandbox request signatures as the proxy
 * does with `--sig-verify-mode` (contract §7). With `adminToken` (and
 * optionally `databaseUrl`, or a shared {@link openKeyDatabase}) it serves
 * virtual keys: `/admin/keys*` and `Authorization: Ati-Key` (contract §9).
 *
 * Node only as a whole (the server and the directory loader use `node:`
 * modules); the fetch handler itself uses Web APIs only. For workers
 * (workerd without `nodejs_compat`) and browsers, import
 * `ati-dev-proxy/fetch`: the handler and fixtures alone. Bundlers that set the
 * `workerd` or `worker` condition (wrangler does) resolve this entry to it.
 *
 * @module
 */

export { sampleFixtures } from './fixtures.ts';
export {
  type DevKeyDatabase,
  type OpenKeyDatabaseOptions,
  openKeyDatabase,
  type SqlRow,
  type SqlRunner,
} from './keys/db.ts';
export { createDevProxy } from './proxy.ts';
export type { DevJson } from './serde-json.ts';
export { startDevProxy } from './server.ts';
export { type LoadSkillsDirOptions, loadSkillsDir } from './skills-dir.ts';
// Every type of the package, the fetch handler's too: `ati-dev-proxy/fetch`
// exports values only, and a type import from here loads nothing at run time.
export type {
  DevCallContext,
  DevCatalogEntry,
  DevHelpContext,
  DevHelpRequest,
  DevKeyEvent,
  DevKeyReconnectedEvent,
  DevKeyRevokedEvent,
  DevProvider,
  DevProxy,
  DevProxyOptions,
  DevSignatureEvent,
  DevSignatureOptions,
  DevSkill,
  DevTool,
  DevToolMethod,
  RunningDevProxy,
  StartDevProxyOptions,
} from './types.ts';
