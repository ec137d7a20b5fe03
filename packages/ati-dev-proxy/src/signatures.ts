/**
 * The proxy's sandbox-signature middleware (`core/sig_verify.rs`) for the
 * dev proxy: exempt globs, the verdict, and what each mode does with it.
 *
 * @module
 */
import {
  AtiError,
  isHeaderText,
  SANDBOX_JOB_ID_HEADER,
  SANDBOX_SIGNATURE_HEADER,
  SIGNATURE_STATUS_HEADER,
  usableSandboxSecret,
  verifySandboxSignature,
} from 'ati-client/internal';
import { compileGlob } from './glob.ts';
import type { DevSignatureOptions } from './types.ts';

/** The proxy's default exempt globs. */
const DEFAULT_SIGNATURE_EXEMPT_PATHS: readonly string[] = [
  '/healthz',
  '/health',
  '/root/*',
  '/root/**',
  '/npm/*',
  '/npm/**',
  '/otel/*',
  '/otel/**',
  '/.well-known/jwks.json',
];

function invalid(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

/** What the signature layer decided for one request. */
export type SignatureOutcome = { reject: Response } | { statusHeader: string | undefined };

/** The signature layer, or `undefined` when signatures are not checked. */
export type SignatureLayer = (
  method: string,
  path: string,
  header: (name: string) => string | undefined,
  nowSeconds: number,
) => Promise<SignatureOutcome>;

/**
 * Build the layer from the options, checking them now (as the proxy checks
 * its flags at startup).
 *
 * @throws {AtiError} `ERR_INVALID_ARGUMENT`: an unknown mode, `enforce` without a secret, a bad drift or glob.
 */
export function signatureLayer(options: DevSignatureOptions | undefined): SignatureLayer | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw invalid('signatures must be an object');
  const mode = options.mode ?? 'log';
  if (mode !== 'log' && mode !== 'warn' && mode !== 'enforce') {
    throw invalid('signatures.mode must be log, warn or enforce');
  }
  const secret = options.secret;
  if (secret !== undefined && usableSandboxSecret(secret) === undefined) {
    throw invalid('signatures.secret must be a non-empty string or Uint8Array');
  }
  if (mode === 'enforce' && secret === undefined) {
    throw invalid('signatures.mode enforce needs signatures.secret (the proxy refuses to start without it)');
  }
  const drift = options.driftSeconds ?? 60;
  if (!Number.isSafeInteger(drift) || drift < 0)
    throw invalid('signatures.driftSeconds must be a non-negative integer');
  const exempt = (options.exemptPaths ?? DEFAULT_SIGNATURE_EXEMPT_PATHS).map(compileGlob);
  const onVerdict = options.onVerdict;
  if (onVerdict !== undefined && typeof onVerdict !== 'function')
    throw invalid('signatures.onVerdict must be a function');

  return async (method, path, header, nowSeconds) => {
    if (exempt.some((re) => re.test(path))) return { statusHeader: undefined };
    const verdict = await verifySandboxSignature(header(SANDBOX_SIGNATURE_HEADER), {
      secret,
      method,
      path,
      now: nowSeconds,
      driftSeconds: drift,
    });
    const jobId = header(SANDBOX_JOB_ID_HEADER);
    onVerdict?.({
      verdict,
      method,
      path,
      jobId: jobId === undefined || !isHeaderText(jobId) ? 'none' : jobId,
    });
    if (mode === 'enforce' && verdict !== 'valid') {
      // The proxy's 403: the verdict as the body, no content-type.
      return { reject: new Response(new TextEncoder().encode(verdict), { status: 403 }) };
    }
    return { statusHeader: mode === 'warn' ? verdict : undefined };
  };
}

/** `res` with `X-Signature-Status` added (a new Response: the original's headers may be immutable). */
export function withSignatureStatus(res: Response, verdict: string): Response {
  const headers = new Headers(res.headers);
  headers.set(SIGNATURE_STATUS_HEADER, verdict);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
