// Secrets at rest: channel credentials are sealed with AES-256-GCM under the platform's master
// key, so the database alone never reveals them. WS-Security PasswordDigest needs the plain
// password to check a digest, which is why it is encrypted rather than hashed.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GridbillError } from '../errors.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new RangeError(`the master key must be ${KEY_BYTES} bytes`);
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    open(sealed) {
      const [format, iv, tag, body] = sealed.split(':');
      if (format !== FORMAT || !iv || !tag || body === undefined) throw new GridbillError('INTERNAL', 'a stored secret has an unknown format');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new GridbillError('CONFIG_INVALID', 'a stored secret cannot be opened with this master key', {
          hint: 'start gridbill with the GRIDBILL_SECRET_KEY (or key file) the secrets were sealed with', cause: error,
        });
      }
    },
  };
}

/**
 * The master key: GRIDBILL_SECRET_KEY (base64 of 32 bytes) when set — what several core instances
 * share — else a key file, created with mode 0600 on first use for the single-machine default.
 */
export function loadMasterKey(options: { readonly keyBase64: string | null; readonly keyFile: string }): Buffer {
  if (options.keyBase64 !== null) {
    const key = Buffer.from(options.keyBase64, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new GridbillError('CONFIG_INVALID', `GRIDBILL_SECRET_KEY must be the base64 of ${KEY_BYTES} bytes, got ${key.length} bytes`, {
        hint: 'generate one with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"',
      });
    }
    return key;
  }
  if (!existsSync(options.keyFile)) {
    mkdirSync(dirname(options.keyFile), { recursive: true });
    writeFileSync(options.keyFile, randomBytes(KEY_BYTES).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(options.keyFile, 0o600);
  const key = Buffer.from(readFileSync(options.keyFile, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new GridbillError('CONFIG_INVALID', `${options.keyFile} does not hold a ${KEY_BYTES}-byte base64 key`);
  return key;
}
