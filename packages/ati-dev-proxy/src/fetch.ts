/**
 * `ati-dev-proxy/fetch`: the dev proxy as a Web fetch handler only, for
 * runtimes without `node:` modules (workerd without `nodejs_compat`, browsers,
 * service workers). {@link createDevProxy} and {@link sampleFixtures}, as in
 * the `.` entry, without `startDevProxy` and `loadSkillsDir` (node:http,
 * node:fs). Under the `workerd` and `worker` conditions the `.` entry
 * resolves here too.
 *
 * The types (`DevProxyOptions`, `DevTool`, …) are declared by the `.` entry
 * only: `import type { DevProxyOptions } from 'ati-dev-proxy'` loads nothing
 * at run time, so it is safe in a worker as well.
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
