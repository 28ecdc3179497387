// The element tree the contract validates, and the bounded reader that builds it from untrusted
// bytes. The tree has the same shape as src/soap/soap-xml.ts's `XmlElement` (so trees built by
// either reader are accepted here); this reader is meant to become the only one.
//
// Everything a hostile document could use against a parser is refused before it grows: a DOCTYPE
// (and with it every entity declaration, so no expansion can happen), processing instructions,
// malformed UTF-8, nesting deeper than the limit, too many elements or attributes, long names and
// long text. Comments are dropped and CDATA is text, so a value split by a comment or wrapped in
// CDATA is read as the same value by the gateway and by the core (SECURITY.md X27–X28).

import { SaxesParser, type SaxesTagNS } from 'saxes';
import { LIMITS } from '../limits.ts';

export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export interface XmlElement {
  readonly uri: string;
  readonly local: string;
  /** Attributes by `{uri}local` (no namespace: just `local`); namespace declarations left out. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  /** Every character of text directly inside the element, whitespace between children included. */
  text: string;
}

export function attrKey(uri: string, local: string): string {
  return uri === '' ? local : `{${uri}}${local}`;
}

/** Bounds of one document; the defaults are the SOAP request bounds of src/limits.ts. */
export interface XmlBounds {
  readonly depthMax: number;
  readonly elementsMax: number;
  readonly attributesPerElementMax: number;
  readonly nameCharsMax: number;
  readonly textCharsMax: number;
}

export const XML_BOUNDS: XmlBounds = Object.freeze({
  depthMax: LIMITS.xmlDepthMax,
  elementsMax: LIMITS.xmlElementsMax,
  attributesPerElementMax: LIMITS.xmlAttributesPerElementMax,
  nameCharsMax: LIMITS.xmlNameCharsMax,
  textCharsMax: LIMITS.xmlTextCharsMax,
});

/** The document is not well-formed, not UTF-8, or outside its bounds: HTTP 400 / a Client fault. */
export class XmlRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'XmlRejected';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(body: Uint8Array): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new XmlRejected('malformed UTF-8');
  }
}

/**
 * A larger text bound for one element (a field that is a document in its own right, such as
 * PublishTariff's tariff); undefined keeps `bounds.textCharsMax`.
 */
export type TextBound = (node: XmlElement, parent: XmlElement | undefined) => number | undefined;

export interface ParseOptions {
  readonly bounds?: XmlBounds;
  readonly wider?: TextBound;
  /** Called per element with its in-scope prefixes (schema documents resolve QName values with them). */
  readonly onScope?: (node: XmlElement, resolve: (prefix: string) => string | undefined) => void;
}

const WRITE_SLICE_CHARS = 4096;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Parses a whole document into a tree; throws XmlRejected on anything outside the rules above. */
export function parseXml(source: string | Uint8Array, options: ParseOptions = {}): XmlElement {
  const text = typeof source === 'string' ? source : decodeUtf8(source);
  const bounds = options.bounds ?? XML_BOUNDS;
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  const textBounds: number[] = [];
  let root: XmlElement | undefined;
  let failure: XmlRejected | undefined;
  let elements = 0;
  const fail = (reason: string): void => {
    failure ??= new XmlRejected(reason);
  };
  parser.on('error', (error) => fail(`not well-formed: ${error.message.slice(0, 200)}`));
  parser.on('doctype', () => fail('DOCTYPE is not allowed'));
  parser.on('processinginstruction', () => fail('processing instructions are not allowed'));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure) return;
    const node = openElement(tag, bounds, stack.length, (elements += 1));
    if (typeof node === 'string') return fail(node);
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
    textBounds.push(options.wider?.(node, parent) ?? bounds.textCharsMax);
    options.onScope?.(node, (prefix) => parser.resolve(prefix));
  });
  const onText = (chunk: string): void => {
    const top = stack[stack.length - 1];
    if (failure || !top) return;
    if (top.text.length + chunk.length > textBounds[textBounds.length - 1]!) return fail('text too long');
    top.text += chunk;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (failure) return;
    stack.pop();
    textBounds.pop();
  });
  try {
    // Fed in slices, and no further once a rule is broken: saxes resolves namespaces by walking
    // the open elements, so the rest of a 100,000-deep document would cost quadratic time.
    for (let at = 0; at < text.length && !failure;) {
      let end = Math.min(at + WRITE_SLICE_CHARS, text.length);
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
      parser.write(text.slice(at, end));
      at = end;
    }
    if (!failure) parser.close();
  } catch (error) {
    fail(`not well-formed: ${(error as Error).message.slice(0, 200)}`);
  }
  if (failure) throw failure;
  if (!root) throw new XmlRejected('no document element');
  return root;
}

/** The new element, or the reason it is refused. */
function openElement(tag: SaxesTagNS, bounds: XmlBounds, depth: number, count: number): XmlElement | string {
  if (count > bounds.elementsMax) return 'too many elements';
  if (depth >= bounds.depthMax) return 'nested too deeply';
  if (tag.name.length > bounds.nameCharsMax) return 'element name too long';
  const attributes = Object.values(tag.attributes);
  if (attributes.length > bounds.attributesPerElementMax) return 'too many attributes';
  const attrs = new Map<string, string>();
  for (const attr of attributes) {
    if (attr.name.length > bounds.nameCharsMax) return 'attribute name too long';
    if (attr.value.length > bounds.textCharsMax) return 'attribute value too long';
    if (attr.uri === XMLNS_NS || attr.name === 'xmlns') continue;
    attrs.set(attrKey(attr.uri, attr.local), attr.value);
  }
  return { uri: tag.uri, local: tag.local, attrs, children: [], text: '' };
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────

// XML 1.0 Char: what a document may carry at all. A value outside it cannot be written, only
// refused (the reader never produces one; a value built by code might).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function isXmlText(value: string): boolean {
  return !NOT_XML_CHAR.test(value);
}

/**
 * Text and attribute values escaped so that reading them back gives the same characters: a
 * carriage return is written as a reference because a literal one would be read as a line feed.
 */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;',
};
