/**
 * `ati-client/testing`: an ATI-compatible dev proxy for tests and demos.
 *
 * - {@link createDevProxy}: the proxy's HTTP API as a Web fetch handler
 *   (auth, scopes, rate limits, skills, SkillATI catalog, `/call`, `/mcp`);
 * - {@link startDevProxy}: the same on a local node:http port;
 * - {@link loadSkillsDir}: an ATI skills directory from disk;
 * - {@link sampleFixtures}: tools, skills and a catalog to serve.
 *
 * With `signatures`, it also checks sandbox request signatures as the proxy
 * does with `--sig-verify-mode` (contract §7).
 *
 * Node only as a whole (the server and the directory loader use `node:`
 * modules); the fetch handler itself uses Web APIs only.
 *
 * @module
 */

export { sampleFixtures } from './fixtures.ts';
export { createDevProxy } from './proxy.ts';
export type { Json as DevJson } from './serde-json.ts';
export { startDevProxy } from './server.ts';
export { type LoadSkillsDirOptions, loadSkillsDir } from './skills-dir.ts';
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
  PublicJwk,
  RunningDevProxy,
  StartDevProxyOptions,
} from './types.ts';
