/**
 * A virtual key scoped to one job: issued at its start, revoked at its end,
 * also when the job throws (`await using`, TC39 explicit resource management).
 *
 * @module
 */

import { IssuedVirtualKey } from './admin-client.ts';

/**
 * A virtual key bound to a job's lifetime, from `AtiOrchestrator.issueJobKey`.
 * `await using` revokes it when the scope exits, however it exits; `revoke()`
 * does the same by hand. Revoking twice (or after someone else did) is not an
 * error. Like {@link IssuedVirtualKey}, it never shows `rawKey` in
 * `inspect()` or JSON.
 *
 * @example
 * ```ts
 * await using key = await orch.issueJobKey({ userId: 'u1', tools: ['web_search'] });
 * await runAgent(new AtiProxyClient({ proxyUrl: orch.proxyUrl, apiKey: key.rawKey }));
 * // revoked here, also when runAgent throws
 * ```
 */
export class JobKey extends IssuedVirtualKey {
  readonly #revoke: () => Promise<boolean>;
  #pending: Promise<boolean> | undefined;
  #revoked = false;

  /** @internal */
  constructor(issued: IssuedVirtualKey, revoke: () => Promise<boolean>) {
    super(issued.rawKey, issued.hash, issued.alias, issued.expiresAt);
    this.#revoke = revoke;
  }

  /** Whether a {@link JobKey.revoke} has completed (the key is refused from then on). */
  get revoked(): boolean {
    return this.#revoked;
  }

  /**
   * Revoke the key (`DELETE /admin/keys/{hash}`). Concurrent calls share one
   * request and its result; once it has succeeded, later calls send nothing
   * and return `false`. A failed revocation can be retried.
   * @returns `true` when the request revoked the key; `false` when it was
   *   already gone (revoked before, by this handle or by anyone else).
   * @throws {ProxyError} when the admin API fails (network, 401, 503, 500): the
   *   key is then still live until it expires.
   */
  async revoke(): Promise<boolean> {
    if (this.#revoked) return false;
    this.#pending ??= this.#revoke().then(
      (revoked) => {
        this.#revoked = true;
        return revoked;
      },
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending;
  }

  /** `await using` calls this on scope exit: {@link JobKey.revoke}, without its result. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.revoke();
  }
}
