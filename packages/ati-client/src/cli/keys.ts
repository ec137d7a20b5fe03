/**
 * Where the CLI finds keys: flags first, then the env vars `ati token` reads
 * (contract §1.4, §1.10). Key files are paths, as in ATI; secrets are hex.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { type CliContext, envValue, readTextFile } from './context.ts';

/** How to sign. */
export type SigningKey =
  | { secret: string; privateKey?: undefined }
  | { privateKey: string; secret?: undefined };
/** How to verify. */
export type VerifyingKey =
  | { secret: string; publicKey?: undefined }
  | { publicKey: string; secret?: undefined };

/**
 * `--key <private PEM path>` → ES256, else `--secret <hex>` → HS256, else
 * `ATI_JWT_PRIVATE_KEY` (path) → ES256, else `ATI_JWT_SECRET` → HS256.
 */
export async function signingKey(
  ctx: CliContext,
  flags: { key?: string | undefined; secret?: string | undefined },
): Promise<SigningKey> {
  if (flags.key !== undefined && flags.secret !== undefined)
    throw new UsageError('Give --key or --secret, not both');
  if (flags.key !== undefined) return { privateKey: await readTextFile(flags.key, 'private key') };
  if (flags.secret !== undefined) return { secret: flags.secret };
  const keyPath = envValue(ctx, 'ATI_JWT_PRIVATE_KEY');
  if (keyPath !== undefined) return { privateKey: await readTextFile(keyPath, 'ATI_JWT_PRIVATE_KEY') };
  const secret = envValue(ctx, 'ATI_JWT_SECRET');
  if (secret !== undefined) return { secret };
  throw new UsageError(
    'No signing key: pass --key <private.pem> or --secret <hex>, or set ATI_JWT_PRIVATE_KEY or ATI_JWT_SECRET',
  );
}

/**
 * `--key <public PEM path>` → ES256, else `--secret <hex>` → HS256, else the
 * proxy's order: `ATI_JWT_PUBLIC_KEY` (path) → ES256, else `ATI_JWT_SECRET`.
 */
export async function verifyingKey(
  ctx: CliContext,
  flags: { key?: string | undefined; secret?: string | undefined },
  required = true,
): Promise<VerifyingKey | undefined> {
  if (flags.key !== undefined && flags.secret !== undefined)
    throw new UsageError('Give --key or --secret, not both');
  if (flags.key !== undefined) return { publicKey: await readTextFile(flags.key, 'public key') };
  if (flags.secret !== undefined) return { secret: flags.secret };
  const keyPath = envValue(ctx, 'ATI_JWT_PUBLIC_KEY');
  if (keyPath !== undefined) return { publicKey: await readTextFile(keyPath, 'ATI_JWT_PUBLIC_KEY') };
  const secret = envValue(ctx, 'ATI_JWT_SECRET');
  if (secret !== undefined) return { secret };
  if (!required) return undefined;
  throw new UsageError(
    'No verification key: pass --key <public.pem> or --secret <hex>, or set ATI_JWT_PUBLIC_KEY or ATI_JWT_SECRET',
  );
}

/** The audience the proxy uses: `ATI_JWT_AUDIENCE` when set (even empty), else `ati-proxy`. */
export function envAudience(ctx: CliContext): string {
  return ctx.env.ATI_JWT_AUDIENCE ?? 'ati-proxy';
}

/** The issuer the proxy checks: `ATI_JWT_ISSUER` when set (even empty), else none. */
export function envIssuer(ctx: CliContext): string | undefined {
  return ctx.env.ATI_JWT_ISSUER;
}
