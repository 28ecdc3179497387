// The external services' contracts as the gateway publishes them: `/soap/<Service>?wsdl` for
// ChannelPaymentService and CustomerService only, with soap:address / soap12:address rewritten to
// the origin the WSDL was asked for through (the gateway's own address, never the core's), and
// `/soap/common.xsd` beside them where the WSDLs' relative schemaLocation resolves. The core's
// internal services are not served here at all. (The same rules as the core's
// src/soap/wsdl-documents.ts, which the gateway may not import.)

import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WSDL_DIR } from '../contract/service-contract.ts';
import { escapeXml } from '../contract/xml.ts';
import { EXTERNAL_SERVICES } from './policy.ts';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;
const HOST_CHARS_MAX = 260;
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

export class GatewayWsdlDocuments {
  private readonly originals = new Map<string, string>();
  private readonly rewritten = new Map<string, string>();
  readonly commonXsd: string;

  constructor(dir = WSDL_DIR) {
    for (const service of EXTERNAL_SERVICES) this.originals.set(service, readFileSync(`${dir}${service}.wsdl`, 'utf8'));
    this.commonXsd = readFileSync(`${dir}common.xsd`, 'utf8');
  }

  wsdl(service: string, origin: string): string | undefined {
    const original = this.originals.get(service);
    if (original === undefined) return undefined;
    const key = `${service} ${origin}`;
    const cached = this.rewritten.get(key);
    if (cached !== undefined) return cached;
    const location = escapeXml(`${origin}/soap/${service}`);
    const text = original.replace(ADDRESS, (_match, open: string, close: string) => `${open}${location}${close}`);
    if (this.rewritten.size >= ORIGINS_CACHED_MAX) this.rewritten.clear();
    this.rewritten.set(key, text);
    return text;
  }
}
