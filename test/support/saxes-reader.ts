// The saxes-based reader src/contract/xml.ts used before it had a reader of its own, kept as the
// reference the differential test (test/contract/xml-reader.test.ts) and bench/contract-validate.ts
// measure the hand-written reader against. Same tree, same bounds, same refusals; used by tests only.

import { SaxesParser, type SaxesTagNS } from 'saxes';
import {
  XMLNS_NS, XML_BOUNDS, XmlRejected, attrKey, decodeUtf8, type ParseOptions, type XmlBounds, type XmlElement,
} from '../../src/contract/xml.ts';

const WRITE_SLICE_CHARS = 4096;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Hooks to see what saxes saw, for the rules where the reader is stricter than saxes. */
export interface SaxesHooks {
  readonly onXmlDecl?: (decl: { version?: string | undefined; encoding?: string | undefined }) => void;
  readonly onTag?: (tag: SaxesTagNS) => void;
}

/** Parses a whole document into a tree with saxes; throws XmlRejected like src/contract/xml.ts. */
export function parseXmlWithSaxes(source: string | Uint8Array, options: ParseOptions = {}, hooks: SaxesHooks = {}): XmlElement {
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
  parser.on('xmldecl', (decl) => hooks.onXmlDecl?.(decl));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure) return;
    hooks.onTag?.(tag);
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
