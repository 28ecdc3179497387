// Masking of personal data and secrets, for logs and for answers to channels. A log line may
// carry who and what, never a full ID number, bank account, phone number or any secret.

import { LIMITS } from '../limits.ts';

const SECRET_KEYS = /pass(word)?|secret|token|nonce|digest|authorization|cookie|smscode|privatekey/i;
const ID_KEYS = /idnumber|idno|idcard/i;
const ACCOUNT_KEYS = /bankaccount|accountnumber|cardno/i;
const PHONE_KEYS = /phone|mobile|tel/i;
const NAME_KEYS = /^(customer)?name$/i;
const ADDRESS_KEYS = /address/i;

// Patterns for values that slip into free text (error messages, URLs).
const ID_NUMBER = /\b(\d{6})\d{8}(\d{3}[\dXx])\b/g;
const BANK_ACCOUNT = /\b(\d{4})\d{8,11}(\d{4})\b/g;
const MOBILE = /\b(1[3-9]\d)\d{4}(\d{4})\b/g;

/** 330106199001011234 → 330106********1234 */
export function maskIdNumber(value: string): string {
  return value.length <= 8 ? '*'.repeat(value.length) : `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
}

/** 13812345678 → 138****5678 */
export function maskPhone(value: string): string {
  return value.length < 7 ? '*'.repeat(value.length) : `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

/** 6222021234567890123 → 6222***********0123 */
export function maskAccount(value: string): string {
  return value.length <= 8 ? '*'.repeat(value.length) : `${value.slice(0, 4)}${'*'.repeat(value.length - 8)}${value.slice(-4)}`;
}

/** 张三丰 → 张*丰; 李四 → 李*; a company name keeps its first two and last two characters. */
export function maskName(value: string): string {
  const chars = [...value];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  if (chars.length <= 4) return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
  return `${chars.slice(0, 2).join('')}${'*'.repeat(chars.length - 4)}${chars.slice(-2).join('')}`;
}

/** Keeps the city and district, hides the street and number: 杭州市西湖区文三路100号 → 杭州市西湖区****** */
export function maskAddress(value: string): string {
  const m = /^(.*?[市州盟])(.*?[区县旗])?/u.exec(value);
  const kept = m ? `${m[1] ?? ''}${m[2] ?? ''}` : [...value].slice(0, 3).join('');
  return `${kept}${'*'.repeat(Math.max(3, Math.min(6, [...value].length - [...kept].length)))}`;
}

/** Masks personal numbers found inside free text. */
export function maskText(value: string): string {
  const cut = value.length > LIMITS.logFieldCharsMax ? `${value.slice(0, LIMITS.logFieldCharsMax)}…(cut)` : value;
  return cut
    .replace(ID_NUMBER, (_m, a: string, b: string) => `${a}********${b}`)
    .replace(MOBILE, (_m, a: string, b: string) => `${a}****${b}`)
    .replace(BANK_ACCOUNT, (m: string) => maskAccount(m));
}

function maskByKey(key: string, value: string): string {
  if (SECRET_KEYS.test(key)) return '[secret]';
  if (ID_KEYS.test(key)) return maskIdNumber(value);
  if (ACCOUNT_KEYS.test(key)) return maskAccount(value);
  if (PHONE_KEYS.test(key)) return maskPhone(value);
  if (NAME_KEYS.test(key)) return maskName(value);
  if (ADDRESS_KEYS.test(key)) return maskAddress(value);
  return maskText(value);
}

const DEPTH_MAX = 8;

/** A masked deep copy of a log record's fields. */
export function maskFields(value: unknown, key = '', depth = 0): unknown {
  if (depth > DEPTH_MAX) return '[deep]';
  if (typeof value === 'string') return maskByKey(key, value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    // A phone or ID number may arrive as a number; ordinary counts and amounts pass unchanged.
    const masked = maskByKey(key, String(value));
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map((v) => maskFields(v, key, depth + 1));
  if (value instanceof Error) return { name: value.name, message: maskText(value.message) };
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskFields(v, k, depth + 1);
    return out;
  }
  return value;
}
