// The element tree the contract validates, and the bounded reader that builds it from untrusted
// bytes (the reading itself is src/contract/xml-reader.ts). The tree has the same shape as
// src/soap/soap-xml.ts's `XmlElement` (so trees built by either reader are accepted here); this
// reader is meant to become the only one.
//
// Everything a hostile document could use against a parser is refused before it grows: a DOCTYPE
// (and with it every entity declaration, so no expansion can happen), processing instructions,
// malformed UTF-8, nesting deeper than the limit, too many elements or attributes, long names and
// long text. Comments are dropped and CDATA is text, so a value split by a comment or wrapped in
// CDATA is read as the same value by the gateway and by the core (SECURITY.md X27–X28).

import { LIMITS } from '../limits.ts';
import { XmlRejected, readXml, type ParseOptions, type XmlBounds, type XmlElement } from './xml-reader.ts';

export {
  XMLNS_NS, XmlRejected, attrKey, type ParseOptions, type TextBound, type XmlBounds, type XmlElement,
} from './xml-reader.ts';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** The SOAP request bounds of src/limits.ts: the default of every document read. */
export const XML_BOUNDS: XmlBounds = Object.freeze({
  depthMax: LIMITS.xmlDepthMax,
  elementsMax: LIMITS.xmlElementsMax,
  attributesPerElementMax: LIMITS.xmlAttributesPerElementMax,
  nameCharsMax: LIMITS.xmlNameCharsMax,
  textCharsMax: LIMITS.xmlTextCharsMax,
});

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(body: Uint8Array): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new XmlRejected('malformed UTF-8');
  }
}

/** Parses a whole document into a tree; throws XmlRejected on anything outside the rules above. */
export function parseXml(source: string | Uint8Array, options: ParseOptions = {}): XmlElement {
  const text = typeof source === 'string' ? source : decodeUtf8(source);
  return readXml(text, options.bounds ?? XML_BOUNDS, options);
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
