// The published contracts, served as wsdl/README.md says: `/soap/<Service>?wsdl` with the
// soap:address / soap12:address locations rewritten to the scheme, host and port the WSDL was
// requested through (nothing else changed), and `/soap/common.xsd` next to it, where the WSDLs'
// relative schemaLocation resolves. The Host header is checked against a strict host[:port] form
// before it goes into a document (and is escaped anyway); rewritten documents are cached per origin.
// The core serves every service's documents; the gateway the external services' only.

import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WSDL_DIR } from './service-contract.ts';
import { escapeXml } from './xml.ts';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;
const HOST_CHARS_MAX = 260;
/** Origins remembered per service; a flood of Host names only refills the cache. */
const ORIGINS_CACHED_MAX = 32;
const ADDRESS = /(<(?:soap|soap12):address\s+location=")[^"]*(")/g;

/** `scheme://host[:port]` the request came in through, or null when the Host header is not a plain host. */
export function requestOrigin(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (host === undefined || host.length > HOST_CHARS_MAX || !HOST.test(host)) return null;
  const port = /:([0-9]+)$/.exec(host);
  if (port && Number(port[1]) > 65_535) return null;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  return `${scheme}://${host.toLowerCase()}`;
}

export class WsdlDocuments {
  private readonly originals = new Map<string, string>();
  private readonly rewritten = new Map<string, Map<string, string>>();
  readonly commonXsd: string;

  constructor(services: readonly string[], dir = WSDL_DIR) {
    for (const service of services) this.originals.set(service, readFileSync(`${dir}${service}.wsdl`, 'utf8'));
    this.commonXsd = readFileSync(`${dir}common.xsd`, 'utf8');
  }

  has(service: string): boolean {
    return this.originals.has(service);
  }

  /** The service's WSDL with both port addresses set to `<origin>/soap/<Service>`. */
  wsdl(service: string, origin: string): string | undefined {
    const original = this.originals.get(service);
    if (original === undefined) return undefined;
    let byOrigin = this.rewritten.get(service);
    if (byOrigin === undefined) this.rewritten.set(service, byOrigin = new Map());
    const cached = byOrigin.get(origin);
    if (cached !== undefined) return cached;
    const location = escapeXml(`${origin}/soap/${service}`);
    const text = original.replace(ADDRESS, (_match, open: string, close: string) => `${open}${location}${close}`);
    if (byOrigin.size >= ORIGINS_CACHED_MAX) byOrigin.clear();
    byOrigin.set(origin, text);
    return text;
  }
}
