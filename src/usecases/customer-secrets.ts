// The secrets of customer access: passwords and SMS codes as salted scrypt hashes, session tokens
// as 256 random bits kept as SHA-256. Shared by the login, profile and online-access use cases.
//
// scrypt (node:crypto, async: it runs on the libuv pool, not the event loop) with N = 2^14, r = 8,
// p = 1 — the interactive-login parameters of the scrypt paper, about 16 MB and tens of ms per
// hash. The parameters are stored beside each hash, so they can be raised later and old hashes
// still verify. SMS codes use the same function: a 6-digit code has a million values, so only a
// slow hash keeps a stolen table from giving the live codes away within their 5 minutes.
// Comparisons are constant-time (timingSafeEqual on equal-length buffers).

import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';

const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 32 } as const;
/** scrypt needs 128 × N × r bytes; Node's default maxmem (32 MB) is explicit here. */
const SCRYPT_MAXMEM_BYTES = 64 * 1_048_576;
const SALT_BYTES = 16;
const SESSION_TOKEN_BYTES = 32;

export interface SecretHash {
  readonly hash: string;
  readonly salt: string;
  readonly params: string;
}

function scryptAsync(secret: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function paramsText(): string {
  return `scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${SCRYPT.keyLength}`;
}

function parseParams(params: string): { N: number; r: number; p: number; keyLength: number } {
  const [kind, n, r, p, len] = params.split(':');
  const numbers = [n, r, p, len].map(Number);
  if (kind !== 'scrypt' || numbers.some((x) => !Number.isSafeInteger(x) || x < 1)) throw new Error(`unknown hash parameters ${params}`);
  const [N, rr, pp, keyLength] = numbers as [number, number, number, number];
  return { N, r: rr, p: pp, keyLength };
}

export async function hashSecret(secret: string): Promise<SecretHash> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(secret, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT_MAXMEM_BYTES });
  return { hash: key.toString('hex'), salt: salt.toString('hex'), params: paramsText() };
}

export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  const { N, r, p, keyLength } = parseParams(stored.params);
  const expected = Buffer.from(stored.hash, 'hex');
  const key = await scryptAsync(secret, Buffer.from(stored.salt, 'hex'), keyLength, { N, r, p, maxmem: SCRYPT_MAXMEM_BYTES });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash nobody's secret matches, verified when there is no stored one, so "no such customer" takes as long as a wrong password. */
let decoy: Promise<SecretHash> | undefined;
export async function verifyAgainstDecoy(secret: string): Promise<false> {
  decoy ??= hashSecret(randomBytes(16).toString('hex'));
  await verifySecret(secret, await decoy);
  return false;
}

/** A 6-digit code, uniformly drawn (randomInt is rejection-sampled, not modulo-biased). */
export function newSmsCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function newSessionToken(): string {
  return randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** An initial password of 10 characters with letters and digits, without look-alikes (0/O, 1/l/I). */
export function newInitialPassword(): string {
  for (;;) {
    const password = Array.from({ length: 10 }, () => PASSWORD_ALPHABET[randomInt(0, PASSWORD_ALPHABET.length)]).join('');
    if (/[A-Za-z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}

/** 8 to 128 characters, no control characters, at least one letter and one digit. */
export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001F\u007F-\u009F]/.test(password);
  if (length < LIMITS.customerPasswordCharsMin || length > LIMITS.customerPasswordCharsMax || control
    || !/\p{L}/u.test(password) || !/[0-9]/.test(password)) {
    throw new GridbillError('PASSWORD_POLICY');
  }
}

/** An instant given as ISO 8601 with any offset → the UTC ISO text the database keeps. */
export function utcInstant(now: string): string {
  const ms = Date.parse(now);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${now}`);
  return new Date(ms).toISOString();
}

export function plusMs(instant: string, ms: number): string {
  return new Date(Date.parse(instant) + ms).toISOString();
}
