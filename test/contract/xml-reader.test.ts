// The hand-written reader (src/contract/xml-reader.ts) against saxes, the reader it replaced
// (test/support/saxes-reader.ts): generated documents, valid and mutated, must be refused by both
// or read by both into the same tree. saxes is wrapped with the three rules where the reader is
// deliberately stricter (see the head of xml-reader.ts), so that the two must agree exactly.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import type { SaxesTagNS } from 'saxes';
import { XML_BOUNDS, XmlRejected, parseXml, type ParseOptions, type XmlBounds, type XmlElement } from '../../src/contract/xml.ts';
import { parseXmlWithSaxes } from '../support/saxes-reader.ts';
import { seeded, type Random } from './instances.ts';

const NC_NAME_START = /^[A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function strictly(rule: boolean, what: string): void {
  if (!rule) throw new Error(`stricter rule: ${what}`);
}

/** saxes, plus the rules where the reader is stricter than saxes. */
function reference(source: string, options: ParseOptions = {}): XmlElement {
  if (LONE_SURROGATE.test(source)) throw new XmlRejected('not well-formed: unpaired surrogate');
  const localOk = (prefix: string, local: string) => prefix === '' || NC_NAME_START.test(local);
  return parseXmlWithSaxes(source, options, {
    onXmlDecl: (decl) => {
      strictly(decl.version === '1.0', 'version 1.0');
      strictly(decl.encoding === undefined || /^utf-8$/i.test(decl.encoding), 'UTF-8');
    },
    onTag: (tag: SaxesTagNS) => {
      strictly(localOk(tag.prefix, tag.local), 'QName');
      for (const attr of Object.values(tag.attributes)) strictly(localOk(attr.prefix, attr.local), 'QName');
    },
  });
}

type Outcome = { ok: true; tree: XmlElement; scopes: string[] } | { ok: false; reason: string };

const PROBED_PREFIXES = ['', 'a', 'b', 'soap', 'xml', 'xmlns', 'zz'];

function outcome(read: (source: string, options: ParseOptions) => XmlElement, source: string, options: ParseOptions): Outcome {
  const scopes: string[] = [];
  try {
    const tree = read(source, {
      ...options,
      onScope: (node, resolve) => scopes.push(`${node.local}: ${PROBED_PREFIXES.map((p) => `${p}=${resolve(p)}`).join(' ')}`),
    });
    return { ok: true, tree, scopes };
  } catch (error) {
    if (error instanceof XmlRejected) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** Why generated documents were refused, to show when too few of them are read. */
const refusals = new Map<string, number>();

function commonRefusals(): string {
  const top = [...refusals].sort((a, b) => b[1] - a[1]).slice(0, 8);
  refusals.clear();
  return top.map(([reason, n]) => `${n} × ${reason}`).join('; ');
}

/** Both refuse, or both read the same tree and see the same prefixes in scope; returns whether read. */
function agree(source: string, options: ParseOptions = {}): boolean {
  const mine = outcome((s, o) => parseXml(s, o), source, options);
  if (!mine.ok) {
    const reason = mine.reason.replace(/ \(at \d+\)$/, '');
    refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
  }
  const theirs = outcome(reference, source, options);
  const shown = `${JSON.stringify(source)}\n  reader: ${mine.ok ? 'read' : mine.reason}\n  saxes:  ${theirs.ok ? 'read' : theirs.reason}`;
  expect(mine.ok, shown).to.equal(theirs.ok);
  if (mine.ok && theirs.ok) {
    expect(mine.tree, shown).to.deep.equal(theirs.tree);
    expect(mine.scopes, shown).to.deep.equal(theirs.scopes);
  }
  return mine.ok;
}

// ── Generated documents ─────────────────────────────────────────────────────────────────────────

const pick = <T>(rnd: Random, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const chance = (rnd: Random, p: number): boolean => rnd() < p;

/** Mostly from `good`, sometimes from `bad`: documents are mostly well-formed, with a few faults of every kind. */
function either<T>(rnd: Random, good: readonly T[], bad: readonly T[], badShare = 0.04): T {
  return pick(rnd, chance(rnd, badShare) ? bad : good);
}

const PREFIXES = ['', '', '', 'a', 'a', 'b', 'soap', 'xml'];
const BAD_PREFIXES = ['zz', 'xmlns'];
const URIS = ['urn:a', 'urn:b', 'http://schemas.xmlsoap.org/soap/envelope/', ' urn:spaced ', 'urn:a', '&amp;x', 'urn:张'];
const BAD_URIS = ['', ' ', 'http://www.w3.org/XML/1998/namespace', 'http://www.w3.org/2000/xmlns/'];
const LOCALS = ['r', 'Envelope', 'Body', 'x', 'é', '张', 'a-b', 'a.b', '_c', '𠮷x', 'xmlns', 'lang', 'a1', 'B', 'ĀĀ', 'a·'];
const BAD_LOCALS = ['1a', '-a', '.a', '·a', 'a b', ''];
const TEXTS = ['', ' ', '\n  ', 'plain', '300.00', 'a&amp;b', '&lt;&gt;&quot;&apos;', '&#65;&#x42;', '&#x1F600;', '&#13;', '&#x0000041;',
  'x\r\ny', 'x\ry', '\r', '\t', '张三', '𠮷', ']', ']]', 'a]b', '>', ']>', '\u00A0', '\u0085', '\u2028', '\u007F', '\uFEFF'];
const BAD_TEXTS = ['&#X41;', '&#0;', '&#xD800;', '&foo;', '&amp', ']]>', '\u0001', '\uFFFF', '<', '&'];
const ATTR_VALUES = ['', '1', 'a b', 'x\ty\nz\r\nw', 'a\rb', '&amp;&#9;&#10;&#13;', "it's", '>', ']]>', '张', '&lt;', '&quot;'];
const BAD_ATTR_VALUES = ['<', '&', '&nbsp;', '\u0002'];
const CDATA = ['', 'x<y>&amp;', ']]', ']', 'a]b]', '\r\n', '张\r', '<!-- -->'];
const COMMENTS = ['', ' c ', '-x', '张', '\r\n', '<r>', '- -', '->'];
const BAD_COMMENTS = ['--', 'x-', '\u0000'];
const SPACES = [' ', ' ', '\n', '\t', '\r\n', '  '];
const DECLARATIONS = ['', '', '<?xml version="1.0"?>', "<?xml version='1.0' encoding='UTF-8'?>", '<?xml version="1.0" encoding="utf-8" standalone="yes" ?>',
  '<?xml version="1.0" standalone="no"?>\n', '<?xml version = "1.0"\n?>'];
const BAD_DECLARATIONS = ['<?xml version="1.1"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml?>', '<?xml version="1.0"encoding="UTF-8"?>',
  ' <?xml version="1.0"?>', '<?xml-stylesheet href="a"?>', '<!DOCTYPE r>'];

interface Scope { declared: Set<string> }

/** A QName with a prefix that is mostly declared in scope (by a declaration added to `attrs` if need be). */
function qname(rnd: Random, prefixes: readonly string[], scope: Scope, attrs: string[]): string {
  const prefix = either(rnd, prefixes, BAD_PREFIXES);
  const local = either(rnd, LOCALS, BAD_LOCALS);
  if (prefix !== '' && prefix !== 'xml' && !scope.declared.has(prefix) && chance(rnd, 0.95)) {
    attrs.push(`${pick(rnd, SPACES)}xmlns:${prefix}="${pick(rnd, URIS)}"`);
    scope.declared.add(prefix);
  }
  return prefix === '' ? local : `${prefix}:${local}`;
}

function attribute(rnd: Random, scope: Scope, attrs: string[]): string {
  const space = pick(rnd, SPACES);
  const q = chance(rnd, 0.5) ? '"' : "'";
  const eq = chance(rnd, 0.8) ? '=' : `${pick(rnd, SPACES)}=${pick(rnd, SPACES)}`;
  if (chance(rnd, 0.2)) {
    const prefix = pick(rnd, ['a', 'b', 'soap', '', '']);
    scope.declared.add(prefix);
    return `${space}${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}${eq}${q}${either(rnd, URIS, BAD_URIS)}${q}`;
  }
  const name = qname(rnd, PREFIXES, scope, attrs);
  return `${space}${name}${eq}${q}${either(rnd, ATTR_VALUES, BAD_ATTR_VALUES).replaceAll(q, q === '"' ? '&quot;' : '&apos;')}${q}`;
}

function content(rnd: Random, depth: number, scope: Scope): string {
  let out = '';
  const parts = Math.floor(rnd() * 4);
  for (let i = 0; i < parts; i += 1) {
    const kind = rnd();
    if (kind < 0.4) out += either(rnd, TEXTS, BAD_TEXTS);
    else if (kind < 0.5) out += `<![CDATA[${pick(rnd, CDATA)}]]>`;
    else if (kind < 0.6) out += `<!--${either(rnd, COMMENTS, BAD_COMMENTS)}-->`;
    else if (depth < 5) out += element(rnd, depth + 1, scope);
  }
  return out;
}

function element(rnd: Random, depth: number, outer: Scope): string {
  const scope: Scope = { declared: new Set(outer.declared) };
  const attrs: string[] = [];
  for (let n = Math.floor(rnd() * 4); n > 0; n -= 1) attrs.push(attribute(rnd, scope, attrs));
  const name = qname(rnd, PREFIXES, scope, attrs);
  const tail = chance(rnd, 0.2) ? pick(rnd, SPACES) : '';
  if (chance(rnd, 0.2)) return `<${name}${attrs.join('')}${tail}/>`;
  return `<${name}${attrs.join('')}${tail}>${content(rnd, depth, scope)}</${name}${chance(rnd, 0.1) ? ' ' : ''}>`;
}

function misc(rnd: Random): string {
  return chance(rnd, 0.5) ? '' : pick(rnd, ['\n', ' ', '<!-- m -->', '\r\n\t', '<!---->']);
}

function document(rnd: Random): string {
  const bom = chance(rnd, 0.05) ? '\uFEFF' : '';
  const scope: Scope = { declared: new Set() };
  return `${bom}${either(rnd, DECLARATIONS, BAD_DECLARATIONS)}${misc(rnd)}${element(rnd, 0, scope)}${misc(rnd)}`;
}

const HOSTILE = [...'<>&;:"\'=/![]-?x', ' ', '\t', '\r', '\n', 'é', '张', '𠮷', '\uFFFE', '\u0001', '\uD800', '\uDC00', '--', ']]>', '<!--',
  '<![CDATA[', '&#0;', '&#x10FFFF;', '&amp;', ' xmlns:a="urn:a"', ' xmlns:p=""', ' xml:lang="en"', '</', '/>', '<!DOCTYPE r>', '<?pi?>', '<a>', '</a>', 'a:'];

function mutated(rnd: Random): string {
  let doc = document(rnd);
  const edits = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < edits; i += 1) {
    const at = Math.floor(rnd() * (doc.length + 1));
    const kind = rnd();
    if (kind < 0.4) doc = doc.slice(0, at) + pick(rnd, HOSTILE) + doc.slice(at);
    else if (kind < 0.65) doc = doc.slice(0, at) + doc.slice(at + 1);
    else if (kind < 0.9) doc = doc.slice(0, at) + pick(rnd, HOSTILE) + doc.slice(at + 1);
    else doc = doc.slice(0, at);
  }
  return doc;
}

/** The default bounds, or small ones the generated documents run into. */
function options(rnd: Random): ParseOptions {
  if (chance(rnd, 0.7)) return {};
  const bounds: XmlBounds = {
    depthMax: 2 + Math.floor(rnd() * 5), elementsMax: 3 + Math.floor(rnd() * 30), attributesPerElementMax: 1 + Math.floor(rnd() * 5),
    nameCharsMax: 4 + Math.floor(rnd() * 16), textCharsMax: 2 + Math.floor(rnd() * 30),
  };
  return { bounds, wider: (node, parent) => (node.local === 'Body' || parent?.local === 'x' ? 40 : undefined) };
}

const RUN = { seed: 20261120, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false };

describe('contract XML reader against saxes', function () {
  this.timeout(120_000);

  beforeEach(() => refusals.clear());

  it('reads generated documents into the same trees as saxes, and refuses the same ones', () => {
    let read = 0;
    let runs = 0;
    fc.assert(fc.property(fc.integer(), (seed) => {
      const rnd = seeded(seed);
      runs += 1;
      if (agree(document(rnd), options(rnd))) read += 1;
    }), { ...RUN, numRuns: 5_000 });
    // Most generated documents must be well-formed, or this would only compare refusals.
    expect(read / runs, commonRefusals()).to.be.greaterThan(0.3);
  });

  it('refuses the same mutated documents as saxes (hostile characters inserted, deleted, replaced, truncation)', () => {
    let read = 0;
    let runs = 0;
    fc.assert(fc.property(fc.integer(), (seed) => {
      const rnd = seeded(seed);
      runs += 1;
      if (agree(mutated(rnd), options(rnd))) read += 1;
    }), { ...RUN, numRuns: 10_000 });
    const why = commonRefusals();
    expect(read, why).to.be.greaterThan(runs * 0.02);
    expect(read, why).to.be.lessThan(runs * 0.95);
  });

  it('reads every sample message, WSDL and schema of the project as saxes does', () => {
    const files = [...walk('fixtures/soap'), ...walk('wsdl'), ...walk('bench/soap')].filter((f) => /\.(xml|xsd|wsdl)$/.test(f));
    expect(files.length).to.be.greaterThan(50);
    const documentBounds: XmlBounds = { ...XML_BOUNDS, depthMax: 64, elementsMax: 200_000, attributesPerElementMax: 64, textCharsMax: 1_048_576 };
    for (const file of files) {
      expect(agree(readFileSync(file, 'utf8'), file.endsWith('.xml') ? {} : { bounds: documentBounds }), file).to.equal(true);
    }
  });

  it('reads envelopes as the real clients of the interop suite write them', () => {
    for (const envelope of CLIENT_ENVELOPES) expect(agree(envelope), envelope).to.equal(true);
  });
});

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XML = 'http://www.w3.org/XML/1998/namespace';
const SMALL: XmlBounds = { depthMax: 3, elementsMax: 5, attributesPerElementMax: 2, nameCharsMax: 4, textCharsMax: 5 };

/** Refused by the reader with `reason`; `saxes` says whether saxes alone accepts it (a rule where the reader is stricter). */
const REFUSALS: readonly { name: string; docs: readonly (string | Uint8Array)[]; reason: RegExp; bounds?: XmlBounds; saxes?: 'accepts' }[] = [
  { name: 'a DOCTYPE, with or without entities', docs: ['<!DOCTYPE r><r/>', '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>', '<!DOCTYPE'], reason: /^DOCTYPE is not allowed$/ },
  { name: 'a DOCTYPE inside the root', docs: ['<r><!DOCTYPE r></r>'], reason: /^not well-formed: / },
  { name: 'a processing instruction anywhere', docs: ['<r><?pi x?></r>', '<?xml-stylesheet href="a"?><r/>', '<?xml version="1.0"?><?pi?><r/>', '<r/><?pi?>', '<r><?xml x?></r>'.replace('xml', 'xmlx')], reason: /^processing instructions are not allowed$/ },
  { name: 'an XML declaration not at the very start', docs: [' <?xml version="1.0"?><r/>', '<r/><?xml version="1.0"?>', '<r><?xml version="1.0"?></r>'], reason: /^not well-formed: / },
  { name: 'an XML declaration that breaks its grammar', docs: ['<?xml?><r/>', '<?xml encoding="UTF-8"?><r/>', '<?xml version="1.0"encoding="UTF-8"?><r/>', '<?xml version="1.0" standalone="maybe"?><r/>', '<?xml version="1.0" standalone="yes" encoding="UTF-8"?><r/>', '<?xml version="1.0" ?? ><r/>', '<?xml version="1.0"'], reason: /^not well-formed: / },
  { name: 'an XML declaration of another version or encoding', docs: ['<?xml version="1.1"?><r/>', '<?xml version="1.00"?><r/>', '<?xml version="1.0" encoding="ISO-8859-1"?><r/>', '<?xml version="1.0" encoding="GBK"?><r/>'], reason: /^not well-formed: /, saxes: 'accepts' },
  { name: 'malformed UTF-8', docs: [new Uint8Array([0x3c, 0x72, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x72, 0x3e]), new Uint8Array([0x3c, 0x72, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x72, 0x3e])], reason: /^malformed UTF-8$/ },
  { name: 'nesting past the depth bound', docs: ['<a><b><c><d/></c></b></a>'], reason: /^nested too deeply$/, bounds: SMALL },
  { name: 'elements past the count bound', docs: ['<r><a/><a/><a/><a/><a/></r>'], reason: /^too many elements$/, bounds: SMALL },
  { name: 'attributes past the bound, declarations included', docs: ['<r a="1" b="2" c="3"/>', '<r xmlns="u" xmlns:p="v" a="1"/>'], reason: /^too many attributes$/, bounds: { ...SMALL, nameCharsMax: 8 } },
  { name: 'a long element name', docs: ['<abcde/>', '<r><p:abc xmlns:p="u"/></r>'], reason: /^element name too long$/, bounds: SMALL },
  { name: 'a long attribute name', docs: ['<r abcde="1"/>'], reason: /^attribute name too long$/, bounds: SMALL },
  { name: 'a long text, however it is split', docs: ['<r>abcdef</r>', '<r>abc<a/>def</r>', '<r>ab<![CDATA[cd]]>e&amp;</r>', '<r>a<!---->bcdef</r>'], reason: /^text too long$/, bounds: SMALL },
  { name: 'a long attribute value, after references are expanded', docs: ['<r a="abcdef"/>', '<r a="&amp;&amp;&amp;&#65;&#66;&#67;"/>'], reason: /^attribute value too long$/, bounds: SMALL },
  { name: 'mismatched and unclosed tags', docs: ['<a></b>', '<a>', '<a><b></a></b>', '<a></a></a>', '<a></ a>', '<a></a >x', '<ab></a>', '<a></ab>', '</a>'], reason: /^not well-formed: / },
  { name: 'unbound prefixes on elements and attributes', docs: ['<p:r/>', '<r p:a="1"/>', '<r><p:a xmlns:p="u"/><p:b/></r>', '<xmlns:r/>'], reason: /^not well-formed: / },
  { name: 'duplicate attributes, also through two prefixes for one namespace', docs: ['<r a="1" a="2"/>', '<r xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"/>', '<r xmlns:p="u" xmlns:p="v"/>', '<r xmlns="u" xmlns="u"/>', '<r xml:a="1" xml:a="1"/>'], reason: /^not well-formed: / },
  { name: 'invalid name characters', docs: ['<r\u0001/>', '<1r/>', '<r a×="1"/>', '<r><a$/></r>', '<r:/>', '<:r/>', '<a:b:c xmlns:a="u"/>', '<r :a="1"/>', '<r a:="1"/>', '< r/>'], reason: /^not well-formed: / },
  { name: 'a local part that does not start a name', docs: ['<p:1a xmlns:p="u"/>', '<r xmlns:p="u" p:-a="1"/>', '<r xmlns:1p="u"/>'], reason: /^not well-formed: /, saxes: 'accepts' },
  { name: '< in attribute values, and values without quotes or names without values', docs: ['<r a="<"/>', '<r a=1/>', '<r a/>', '<r a="1"b="2"/>', '<r / >', '<r a="1\'/>', '<r a="1'], reason: /^not well-formed: / },
  { name: 'references other than the five entities and character references', docs: ['<r>&nbsp;</r>', '<r>&#X41;</r>', '<r>&#xZZ;</r>', '<r>&amp</r>', '<r>&;</r>', '<r>&#;</r>', '<r a="&foo;"/>', '<r>& amp;</r>', '<r>&lt </r>'], reason: /^not well-formed: / },
  { name: 'character references to characters XML does not allow', docs: ['<r>&#0;</r>', '<r>&#xD800;</r>', '<r>&#xFFFE;</r>', '<r>&#x110000;</r>', '<r a="&#1;"/>', '<r>&#99999999999999999999;</r>'], reason: /^not well-formed: / },
  { name: 'characters XML does not allow, anywhere', docs: ['<r>\u0001</r>', '<r>\uFFFE</r>', '<r>\uFFFF</r>', '<r a="\u0000"/>', '<r><!--\u0008--></r>', '<r><![CDATA[\u001F]]></r>', '<r/>\u0001'], reason: /^not well-formed: / },
  { name: 'an unpaired high surrogate (saxes reads it and the next character as one)', docs: ['<r>\uD800x</r>', '<r a="\uD800x"/>'], reason: /^not well-formed: /, saxes: 'accepts' },
  { name: 'an unpaired surrogate where saxes refuses it too', docs: ['<r>\uD800</r>', '<r>\uDC00x</r>', '<r>\uD800'], reason: /^not well-formed: / },
  { name: ']]> in text', docs: ['<r>]]></r>', '<r>a]]]></r>', '<r><a/>]]></r>'], reason: /^not well-formed: / },
  { name: '-- inside comments', docs: ['<r><!-- a -- b --></r>', '<r><!-- a ---></r>', '<!-- - -- --><r/>', '<r><!-- a </r>'], reason: /^not well-formed: / },
  { name: 'content outside the root element', docs: ['x<r/>', '<r/>x', '<r/>&amp;', '<![CDATA[x]]><r/>', '<r/><![CDATA[]]>', '\u00A0<r/>', '<r/>\uFEFF'], reason: /^not well-formed: / },
  { name: 'two roots', docs: ['<r/><r/>', '<r></r><s></s>'], reason: /^not well-formed: / },
  { name: 'an empty document', docs: ['', '   ', '<!-- c -->', '<?xml version="1.0"?>', '\uFEFF'], reason: /^not well-formed: / },
  { name: 'the reserved prefixes and namespaces misused', docs: ['<r xmlns:xml="urn:x"/>', `<r xmlns:p="${XML}"/>`, `<r xmlns="${XML}"/>`, '<r xmlns:xmlns="urn:x"/>', `<r xmlns:xmlns="${XMLNS}"/>`, `<r xmlns:p="${XMLNS}"/>`, `<r xmlns="${XMLNS}"/>`, '<xmlns:r xmlns:xmlns="u"/>'], reason: /^not well-formed: / },
  { name: 'a prefix undeclared (XML 1.0 namespaces allow that only for the default namespace)', docs: ['<r xmlns:p=""/>', '<r xmlns:p="  "/>', '<p:r xmlns:p="u"><p:a xmlns:p=""/></p:r>'], reason: /^not well-formed: / },
  { name: 'a document cut short anywhere', docs: ['<r', '<r a="1"', '<r><!--', '<r><![CDATA[x', '<r>&amp', '<r></r', '<r><', '<r><!', '<r><!-', '<r><![CDATA', '<r/'], reason: /^not well-formed: / },
];

describe('contract XML reader: refusals', () => {
  for (const { name, docs, reason, bounds, saxes } of REFUSALS) {
    it(`refuses ${name}${saxes ? ' (stricter than saxes)' : ''}`, () => {
      const options: ParseOptions = bounds ? { bounds } : {};
      for (const doc of docs) {
        const shown = typeof doc === 'string' ? JSON.stringify(doc) : `bytes ${[...doc].join(',')}`;
        expect(() => parseXml(doc, options), shown).to.throw(XmlRejected, reason);
        if (saxes === 'accepts') expect(() => parseXmlWithSaxes(doc, options), shown).to.not.throw();
        else expect(() => parseXmlWithSaxes(doc, options), shown).to.throw(XmlRejected);
      }
    });
  }

  it('keeps the position of a well-formedness fault in its reason, never the document\'s text', () => {
    expect(() => parseXml('<r>\n<secret:a/></r>')).to.throw(XmlRejected, /^not well-formed: an unbound namespace prefix \(at 4\)$/);
  });

  it('refuses a 100,000-deep, 100,000-attribute or 100,000-element document at the bound, without reading on', () => {
    const seen = (doc: string): number => {
      let elements = 0;
      expect(() => parseXml(doc, { onScope: () => { elements += 1; } })).to.throw(XmlRejected);
      return elements;
    };
    expect(seen(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`)).to.equal(XML_BOUNDS.depthMax);
    expect(() => parseXml('<a>'.repeat(100_000))).to.throw(XmlRejected, /^nested too deeply$/);
    expect(seen(`<r>${'<a/>'.repeat(100_000)}</r>`)).to.equal(XML_BOUNDS.elementsMax);
    expect(seen(`<r ${Array.from({ length: 100_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`)).to.equal(0);
    expect(() => parseXml(`<r ${Array.from({ length: 100_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`)).to.throw(XmlRejected, /^too many attributes$/);
    expect(() => parseXml(`<r xmlns:p="u" ${Array.from({ length: 100_000 }, () => 'p:a="1"').join(' ')}/>`)).to.throw(XmlRejected, /^too many attributes$/);
    expect(() => parseXml(`<${'n'.repeat(1_000_000)}/>`)).to.throw(XmlRejected, /^element name too long$/);
    expect(() => parseXml(`<r>${'&amp;'.repeat(200_000)}</r>`)).to.throw(XmlRejected, /^text too long$/);
  });
});

describe('contract XML reader: what it reads', () => {
  it('normalises tab, line feed, CR and CR LF in attribute values to one space each, but not characters given by reference', () => {
    expect(parseXml('<r a="x\ty\nz\r\nw\rv" b="&#9;&#10;&#13;&#32;"/>').attrs).to.deep.equal(new Map([['a', 'x y z w v'], ['b', '\t\n\r ']]));
  });

  it('reads CR and CR LF as LF in text and CDATA, and keeps a CR given by reference', () => {
    expect(parseXml('<r>a\r\nb\rc<![CDATA[d\r\ne\r]]>&#13;\r</r>').text).to.equal('a\nb\ncd\ne\n\r\n');
  });

  it('reads the five entities and character references, CDATA as text, drops comments, and allows > and ]] apart from ]]>', () => {
    const root = parseXml('<r>&lt;&gt;&amp;&quot;&apos;&#x5F20;&#24352;&#x1F600;<!-- c -->]]<a/>>]&gt;]]&gt;<![CDATA[<]]]></r>');
    expect(root.text).to.equal('<>&"\'张张😀]]>]>]]><]');
  });

  it('binds namespaces by scope: trimmed, undeclared by xmlns="", xml bound from the start, declarations left out', () => {
    const root = parseXml(`<r xmlns=" urn:d " xmlns:p="urn:p" xml:lang="zh"><a xmlns=""><p:b p:x="1" y="2"/></a><p:c xmlns:p="urn:q"/></r>`);
    expect([root.uri, root.local, [...root.attrs]]).to.deep.equal(['urn:d', 'r', [[`{${XML}}lang`, 'zh']]]);
    const [a, c] = root.children;
    expect([a!.uri, a!.children[0]!.uri, [...a!.children[0]!.attrs]]).to.deep.equal(['', 'urn:p', [['{urn:p}x', '1'], ['y', '2']]]);
    expect(c!.uri).to.equal('urn:q');
  });

  it('gives onScope the prefixes in scope at each element, its own declarations included', () => {
    const seen: string[] = [];
    parseXml('<r xmlns:p="urn:p"><a xmlns="urn:d" xmlns:p="urn:q"/><b/></r>', {
      onScope: (node, resolve) => seen.push(`${node.local} ${resolve('')} ${resolve('p')} ${resolve('xml')} ${resolve('zz')}`),
    });
    expect(seen).to.deep.equal([`r undefined urn:p ${XML} undefined`, `a urn:d urn:q ${XML} undefined`, `b undefined urn:p ${XML} undefined`]);
  });

  it('skips a byte order mark at the start, before the XML declaration', () => {
    expect(parseXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?><r/>').local).to.equal('r');
    expect(parseXml(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c, 0x72, 0x2f, 0x3e])).local).to.equal('r');
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const CP = 'urn:gridbill:channel-payment:v1';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
/** Shapes of what zeep, suds, PHP SoapClient, SOAP::Lite and gSOAP send (prefixes, declarations, line ends, xsi:type). */
const CLIENT_ENVELOPES = [
  `<?xml version='1.0' encoding='utf-8'?>\n<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Header><wsse:Security xmlns:wsse="${WSSE}"><wsse:UsernameToken><wsse:Username>icbc</wsse:Username></wsse:UsernameToken></wsse:Security></soap-env:Header><soap-env:Body><ns0:QueryArrears xmlns:ns0="${CP}"><ns0:customerNo>330000000035</ns0:customerNo></ns0:QueryArrears></soap-env:Body></soap-env:Envelope>`,
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<SOAP-ENV:Envelope xmlns:ns0="${CP}" xmlns:ns1="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">\r\n   <SOAP-ENV:Header/>\r\n   <ns1:Body>\r\n      <ns0:QueryArrears>\r\n         <ns0:customerNo>330000000035</ns0:customerNo>\r\n      </ns0:QueryArrears>\r\n   </ns1:Body>\r\n</SOAP-ENV:Envelope>`,
  `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ns1="${CP}"><env:Body><ns1:Pay><ns1:channelTxnId>T1</ns1:channelTxnId><ns1:amount>300.00</ns1:amount></ns1:Pay></env:Body></env:Envelope>\n`,
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><QueryArrears xmlns="${CP}"><customerNo xsi:type="xsd:string">330000000035</customerNo></QueryArrears></soap:Body></soap:Envelope>`,
  `<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope\n    xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"\n    xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"\n    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n    xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n    xmlns:cp="${CP}">\n <SOAP-ENV:Body>\n  <cp:QueryArrears>\n   <cp:customerNo>330000000035</cp:customerNo>\n  </cp:QueryArrears>\n </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n`,
];
