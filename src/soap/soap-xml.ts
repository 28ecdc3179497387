// Reading a SOAP request and writing SOAP answers, namespace-aware and bounded.
//
// The `soap` package's own reader (WSDL.xmlToObject) is not used on the request path: it ignores
// namespaces (an Envelope or a Security header in a foreign namespace passes), turns xsd:decimal
// into a JavaScript number and xsd:int with parseInt, merges `href`/`id` multiRefs into objects
// (Object.assign on attacker-chosen data), stores elements named `__proto__` as object keys and
// folds duplicate elements into arrays silently (../shared/SECURITY.md). The contract's reader builds a small
// tree with saxes instead: every value stays the exact string that was sent, every element keeps
// its namespace, and a DOCTYPE, a processing instruction, deep nesting, too many elements or
// attributes, long names and malformed UTF-8 are refused before anything reaches a port.

import { escapeXml, parseXml as parseContractXml, type TextBound, type XmlElement } from '../contract/xml.ts';

export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  types: 'urn:gridbill:types:v1',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const;

export type SoapVersion = '1.1' | '1.2';

// The reader is the contract's (src/contract/xml.ts): the gateway and the core read a message
// with the same code, so they cannot disagree about what it says.
export { XML_BOUNDS as XML_LIMITS, XmlRejected, attrKey, decodeUtf8, escapeXml, type TextBound, type XmlElement } from '../contract/xml.ts';

/** Parses a whole request into a tree; throws XmlRejected on anything outside the rules above. */
export function parseXml(source: string, wider?: TextBound): XmlElement {
  return parseContractXml(source, wider === undefined ? {} : { wider });
}

export function childElements(node: XmlElement, uri: string, local: string): XmlElement[] {
  return node.children.filter((c) => c.uri === uri && c.local === local);
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────

/**
 * An element's content in the order the schema declares it: a string is a simple value, a list of
 * [name, value] pairs a complex one. A repeated element is the same name several times; an
 * optional element left out is `undefined` (never xsi:nil).
 */
export type XmlValue = string | XmlFields;
export type XmlFields = ReadonlyArray<readonly [name: string, value: XmlValue | undefined]>;

function writeFields(fields: XmlFields, out: string[]): void {
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    out.push(`<${name}>`);
    if (typeof value === 'string') out.push(escapeXml(value));
    else writeFields(value, out);
    out.push(`</${name}>`);
  }
}

/** `<name xmlns="namespace">…</name>`: the service namespace as default, every child qualified by it. */
export function writeElement(name: string, namespace: string, content: XmlFields): string {
  const out: string[] = [`<${name} xmlns="${escapeXml(namespace)}">`];
  writeFields(content, out);
  out.push(`</${name}>`);
  return out.join('');
}

export function envelopeNs(version: SoapVersion): string {
  return version === '1.1' ? NS.soap11 : NS.soap12;
}

export function contentTypeOf(version: SoapVersion): string {
  return version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8';
}

export function envelope(version: SoapVersion, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${envelopeNs(version)}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** The SOAP fault code: the side of a catalogue code, or one of the envelope-level codes. */
export type FaultSide = 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand';

export interface FaultContent {
  readonly side: FaultSide;
  readonly code: string;
  readonly message: string;
  readonly correlationId: string;
}

function faultDetail(fault: FaultContent): string {
  return `<t:GridbillFault xmlns:t="${NS.types}"><t:code>${escapeXml(fault.code)}</t:code>`
    + `<t:message>${escapeXml(fault.message)}</t:message><t:correlationId>${escapeXml(fault.correlationId)}</t:correlationId></t:GridbillFault>`;
}

const SOAP12_CODE: Readonly<Record<FaultSide, string>> = {
  Client: 'Sender', Server: 'Receiver', VersionMismatch: 'VersionMismatch', MustUnderstand: 'MustUnderstand',
};

export function faultEnvelope(version: SoapVersion, fault: FaultContent): string {
  const body = version === '1.1'
    ? `<soap:Fault><faultcode>soap:${fault.side}</faultcode><faultstring>${escapeXml(fault.message)}</faultstring>`
      + `<detail>${faultDetail(fault)}</detail></soap:Fault>`
    : `<soap:Fault><soap:Code><soap:Value>soap:${SOAP12_CODE[fault.side]}</soap:Value></soap:Code>`
      + `<soap:Reason><soap:Text xml:lang="en">${escapeXml(fault.message)}</soap:Text></soap:Reason>`
      + `<soap:Detail>${faultDetail(fault)}</soap:Detail></soap:Fault>`;
  return envelope(version, body);
}
