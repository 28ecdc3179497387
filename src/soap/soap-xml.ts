// Reading a SOAP request and writing SOAP answers, namespace-aware and bounded.
//
// The `soap` package's own reader (WSDL.xmlToObject) is not used on the request path: it ignores
// namespaces (an Envelope or a Security header in a foreign namespace passes), turns xsd:decimal
// into a JavaScript number and xsd:int with parseInt, merges `href`/`id` multiRefs into objects
// (Object.assign on attacker-chosen data), stores elements named `__proto__` as object keys and
// folds duplicate elements into arrays silently (../shared/SECURITY.md). This reader builds a small
// tree with saxes instead: every value stays the exact string that was sent, every element keeps
// its namespace, and a DOCTYPE, a processing instruction, deep nesting, too many elements or
// attributes, long names and malformed UTF-8 are refused before anything reaches a port.

import { LIMITS } from '../limits.ts';
import { SaxesParser, type SaxesTagNS } from 'saxes';

export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  types: 'urn:gridbill:types:v1',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const;

export type SoapVersion = '1.1' | '1.2';

/** Bounds of a request document (the body size is bounded before parsing, by httpBodyBytesMax). */
export const XML_LIMITS = {
  depthMax: LIMITS.xmlDepthMax,
  elementsMax: LIMITS.xmlElementsMax,
  attributesPerElementMax: LIMITS.xmlAttributesPerElementMax,
  nameCharsMax: LIMITS.xmlNameCharsMax,
  textCharsMax: LIMITS.xmlTextCharsMax,
} as const;

export interface XmlElement {
  readonly uri: string;
  readonly local: string;
  /** Attributes by `{uri}local` (no namespace: just `local`); namespace declarations left out. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  text: string;
}

export function attrKey(uri: string, local: string): string {
  return uri === '' ? local : `{${uri}}${local}`;
}

/** The request is not well-formed, not UTF-8, or outside the bounds: HTTP 400 with a Client fault. */
export class XmlRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'XmlRejected';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(body: Buffer): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new XmlRejected('malformed UTF-8');
  }
}

/** Parses a whole document into a tree; throws XmlRejected on anything outside the rules above. */
export function parseXml(source: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlRejected | undefined;
  let elements = 0;
  const fail = (reason: string) => {
    failure ??= new XmlRejected(reason);
  };
  parser.on('error', (error) => fail(`not well-formed: ${error.message.slice(0, 200)}`));
  parser.on('doctype', () => fail('DOCTYPE is not allowed'));
  parser.on('processinginstruction', () => fail('processing instructions are not allowed'));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure) return;
    elements += 1;
    if (elements > XML_LIMITS.elementsMax) return fail('too many elements');
    if (stack.length >= XML_LIMITS.depthMax) return fail('nested too deeply');
    if (tag.name.length > XML_LIMITS.nameCharsMax) return fail('element name too long');
    const attributes = Object.values(tag.attributes);
    if (attributes.length > XML_LIMITS.attributesPerElementMax) return fail('too many attributes');
    const attrs = new Map<string, string>();
    for (const attr of attributes) {
      if (attr.name.length > XML_LIMITS.nameCharsMax) return fail('attribute name too long');
      if (attr.uri === NS.xmlns || attr.name === 'xmlns') continue;
      attrs.set(attrKey(attr.uri, attr.local), attr.value);
    }
    const node: XmlElement = { uri: tag.uri, local: tag.local, attrs, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  const onText = (text: string) => {
    const top = stack[stack.length - 1];
    if (failure || !top) return;
    if (top.text.length + text.length > XML_LIMITS.textCharsMax) return fail('text too long');
    top.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (!failure) stack.pop();
  });
  try {
    parser.write(source).close();
  } catch (error) {
    fail(`not well-formed: ${(error as Error).message.slice(0, 200)}`);
  }
  if (failure) throw failure;
  if (!root) throw new XmlRejected('no document element');
  return root;
}

export function childElements(node: XmlElement, uri: string, local: string): XmlElement[] {
  return node.children.filter((c) => c.uri === uri && c.local === local);
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

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
