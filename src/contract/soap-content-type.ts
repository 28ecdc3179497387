// The SOAP version and action a request's Content-Type declares, read the same way by the gateway
// and the core: text/xml is SOAP 1.1, application/soap+xml SOAP 1.2 (its `action` parameter is the
// 1.2 SOAPAction); a charset other than UTF-8, or another media type, is null (HTTP 415).

import type { SoapVersion } from './service-contract.ts';

export interface ContentType {
  readonly version: SoapVersion;
  /** SOAP 1.2's `action` parameter, if sent. */
  readonly action: string | undefined;
}

const MEDIA_TYPES: Readonly<Record<string, SoapVersion>> = { 'text/xml': '1.1', 'application/soap+xml': '1.2' };

/** A header value without its surrounding double quotes, if it has both. */
export function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

export function parseContentType(header: string | readonly string[] | undefined): ContentType | null {
  if (typeof header !== 'string') return null;
  const [media = '', ...params] = header.split(';');
  const version = MEDIA_TYPES[media.trim().toLowerCase()];
  if (version === undefined) return null;
  let action: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = unquote(param.slice(eq + 1).trim());
    if (name === 'charset' && value.toLowerCase() !== 'utf-8') return null;
    if (name === 'action') action = value;
  }
  return { version, action };
}
