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

/**
 * A glob as the proxy's globset reads it with `literal_separator` off: `*`
 * (and `**` inside a component) match any run of characters, `/` included;
 * `?` one character. Whole-component `**` follows globset's translation: at
 * the start (then `/`) it may match nothing or end in `/`, between two `/` it
 * matches `/` or `/anything/`, and at the end (after `/`) it matches
 * `/anything`. Classes (`[…]`), alternations (`{…}`) and escapes are refused
 * rather than half-supported.
 */
function globRegExp(glob: string): RegExp {
  if (typeof glob !== 'string' || glob === '') throw invalid('exempt paths must be non-empty strings');
  if (/[[\]{}\\]/.test(glob))
    throw invalid(`exempt path ${JSON.stringify(glob)}: only *, ** and ? are supported`);
  let re = '';
  let i = 0;
  if (glob.startsWith('**/')) {
    re += '(?:/?|[^]*/)';
    i = 3;
  }
  while (i < glob.length) {
    if (glob.startsWith('/**/', i)) {
      re += '(?:/|/[^]*/)';
      i += 4;
    } else if (glob.startsWith('/**', i) && i + 3 === glob.length) {
      re += '/[^]*';
      i += 3;
    } else if (glob[i] === '*') {
      while (glob[i] === '*') i++;
      re += '[^]*';
    } else if (glob[i] === '?') {
      re += '[^]';
      i++;
    } else {
      re += glob[i]!.replace(/[.+^$()|/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${re}$`);
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
  const exempt = (options.exemptPaths ?? DEFAULT_SIGNATURE_EXEMPT_PATHS).map(globRegExp);
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
