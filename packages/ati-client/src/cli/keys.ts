/**
 * Where the CLI finds keys: flags first, then the env vars `ati token` reads
 * (contract §1.4, §1.10). A key is a path to a PEM file, as in ATI, or (unlike
 * ATI) the PEM text itself; secrets are hex. Messages name the flag or variable
 * a key came from, never its value or the file's contents.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { type CliContext, envValue, readTextFile } from './context.ts';

/**
 * The PEM text of `value` from flag or variable `source`: the value itself when
 * it is PEM text (a common way to pass keys through env vars; escaped `\n`
 * from a .env file are unescaped), else the contents of the file it names.
 */
async function pemText(value: string, source: string): Promise<string> {
  const text = value.trimStart();
  if (!text.startsWith('-----BEGIN ')) return readTextFile(value, source);
  return text.includes('\n') ? text : text.replace(/\\n/g, '\n');
}

/** How to sign. */
export type SigningKey =
  | { secret: string; privateKey?: undefined }
  | { privateKey: string; secret?: undefined };
/** How to verify. */
export type VerifyingKey =
  | { secret: string; publicKey?: undefined }
  | { publicKey: string; secret?: undefined };

/**
 * `--key <private PEM path or text>` → ES256, else `--secret <hex>` → HS256, else
 * `ATI_JWT_PRIVATE_KEY` (path or PEM text) → ES256, else `ATI_JWT_SECRET` → HS256.
 */
export async function signingKey(
  ctx: CliContext,
  flags: { key?: string | undefined; secret?: string | undefined },
): Promise<SigningKey> {
  if (flags.key !== undefined && flags.secret !== undefined)
    throw new UsageError('Give --key or --secret, not both');
  if (flags.key !== undefined) return { privateKey: await pemText(flags.key, '--key') };
  if (flags.secret !== undefined) return { secret: flags.secret };
  const keyPath = envValue(ctx, 'ATI_JWT_PRIVATE_KEY');
  if (keyPath !== undefined) return { privateKey: await pemText(keyPath, 'ATI_JWT_PRIVATE_KEY') };
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
  if (flags.key !== undefined) return { publicKey: await pemText(flags.key, '--key') };
  if (flags.secret !== undefined) return { secret: flags.secret };
  const keyPath = envValue(ctx, 'ATI_JWT_PUBLIC_KEY');
  if (keyPath !== undefined) return { publicKey: await pemText(keyPath, 'ATI_JWT_PUBLIC_KEY') };
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
