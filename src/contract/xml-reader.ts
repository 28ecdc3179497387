// The reader behind parseXml (src/contract/xml.ts): one pass over the decoded string with
// charCodeAt and indexOf, building the namespace-aware tree as it goes. It replaced saxes on the
// request path, where reading was a sixth of the cost of every message; saxes stays as the
// reference it is tested against (test/support/saxes-reader.ts, test/contract/xml-reader.test.ts).
//
// It accepts what saxes accepts with `xmlns: true` and gives the same tree, except where saxes is
// lenient and a rule here is stricter (each one is refused here and accepted by saxes):
//   - the XML declaration must say version 1.0, and UTF-8 if it names an encoding (saxes reads
//     any 1.x with XML 1.1's character rules and any encoding name);
//   - the local part of a prefixed name must start with a name-start character (`p:1a` is not
//     a QName; saxes only checks that both parts are non-empty);
//   - an unpaired surrogate is refused (saxes reads a high surrogate and the next character as
//     one character, whatever it is).
// Every bound is checked where the reader reaches it, so a hostile document is refused after
// reading no more than it takes to break the rule: linear time, nothing built past the bound.

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

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

/** Bounds of one document. */
export interface XmlBounds {
  readonly depthMax: number;
  readonly elementsMax: number;
  readonly attributesPerElementMax: number;
  readonly nameCharsMax: number;
  readonly textCharsMax: number;
}

/** The document is not well-formed, not UTF-8, or outside its bounds: HTTP 400 / a Client fault. */
export class XmlRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'XmlRejected';
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

// ── Characters ──────────────────────────────────────────────────────────────────────────────────

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const RBRACKET = 0x5d;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

const NAME_START = 1;
const NAME = 2;
/** ASCII name characters: bit NAME_START for NameStartChar (colon included, as in XML 1.0), NAME for NameChar. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c += 1) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) ASCII_NAME[c] = NAME_START | NAME;
  else if (/[-.0-9]/.test(ch)) ASCII_NAME[c] = NAME;
}

/** XML 1.0 (5th edition) NameStartChar above ASCII, by code point. */
function isWideNameStart(c: number): boolean {
  return (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff)
    || (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d
    || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff)
    || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff);
}

function isWideNameChar(c: number): boolean {
  return isWideNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === TAB || c === CR;
}

/** XML 1.0 Char, by code point: what a character reference may name. */
function isXmlChar(c: number): boolean {
  return (c >= 0x20 && c <= 0xd7ff) || c === TAB || c === LF || c === CR
    || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const PREDEFINED: ReadonlyMap<string, string> = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"]]);
const HEX_REFERENCE = /^#x[0-9a-fA-F]+$/;
const DECIMAL_REFERENCE = /^#[0-9]+$/;
const S = '[ \\t\\r\\n]';
const XML_DECLARATION = new RegExp(`<\\?xml${S}+version${S}*=${S}*(?:"1\\.0"|'1\\.0')`
  + `(?:${S}+encoding${S}*=${S}*(?:"[Uu][Tt][Ff]-8"|'[Uu][Tt][Ff]-8'))?`
  + `(?:${S}+standalone${S}*=${S}*(?:"(?:yes|no)"|'(?:yes|no)'))?${S}*\\?>`, 'y');

function notWellFormed(what: string, at: number): XmlRejected {
  return new XmlRejected(`not well-formed: ${what} (at ${at})`);
}

// ── The reader ──────────────────────────────────────────────────────────────────────────────────

/** Reads `source` (already decoded) into a tree; throws XmlRejected on the first rule it breaks. */
export function readXml(source: string, bounds: XmlBounds, options: ParseOptions): XmlElement {
  return new Reader(source, bounds, options).document();
}

class Reader {
  private p = 0;
  private readonly end: number;
  private readonly wider: TextBound | undefined;
  private readonly onScope: ParseOptions['onScope'];
  /** Open elements, their names as written, and their text bounds. */
  private readonly open: XmlElement[] = [];
  private readonly openNames: string[] = [];
  private readonly openTextMax: number[] = [];
  /** Namespace bindings in scope; an element's declarations are undone from `undo*` when it closes. */
  private readonly ns = new Map<string, string>([['xml', XML_NS], ['xmlns', XMLNS_NS]]);
  private readonly undoPrefix: string[] = [];
  private readonly undoUri: (string | undefined)[] = [];
  private readonly openMarks: number[] = [];
  /** Attributes of the tag being read, reused from tag to tag. */
  private readonly attrNames: string[] = [];
  private readonly attrValues: string[] = [];
  private readonly attrColons: number[] = [];
  private root: XmlElement | undefined;
  private rootClosed = false;
  /** Whether the tag just read ended with `/>`. */
  private selfClosing = false;
  private elements = 0;
  readonly resolve = (prefix: string): string | undefined => this.ns.get(prefix);

  constructor(private readonly s: string, private readonly bounds: XmlBounds, options: ParseOptions) {
    this.end = s.length;
    this.wider = options.wider;
    this.onScope = options.onScope;
  }

  document(): XmlElement {
    const { s } = this;
    if (s.charCodeAt(0) === 0xfeff) this.p = 1;
    if (s.startsWith('<?xml', this.p) && (isSpace(s.charCodeAt(this.p + 5)) || s.charCodeAt(this.p + 5) === QUESTION)) {
      this.declaration();
    }
    while (this.p < this.end) {
      if (this.open.length > 0) this.text();
      else this.outside();
      if (this.p < this.end) this.markup();
    }
    if (this.root === undefined) throw notWellFormed('no document element', this.p);
    if (this.open.length > 0) throw notWellFormed('unclosed element at the end', this.p);
    return this.root;
  }

  private declaration(): void {
    XML_DECLARATION.lastIndex = this.p;
    if (!XML_DECLARATION.test(this.s)) throw notWellFormed('an XML declaration other than version 1.0 in UTF-8', this.p);
    this.p = XML_DECLARATION.lastIndex;
  }

  /** Outside the root element only white space, comments and the root itself may appear. */
  private outside(): void {
    const { s, end } = this;
    let p = this.p;
    for (; p < end; p += 1) {
      const c = s.charCodeAt(p);
      if (c === LT) break;
      if (!isSpace(c)) throw notWellFormed('text outside the root element', p);
    }
    this.p = p;
  }

  /** Text inside the open element up to the next `<`: references expanded, CR and CR LF read as LF. */
  private text(): void {
    const { s, end } = this;
    let p = this.p;
    let from = p;
    // `]` characters just read: `]]>` is refused in text (markup in between breaks the sequence).
    let brackets = 0;
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c >= 0x20 && c < 0x7f) {
        if (c === LT) break;
        if (c === RBRACKET) {
          brackets += 1;
        } else {
          if (c === GT && brackets >= 2) throw notWellFormed(']]> in text', p);
          if (c === AMP) {
            this.appendText(from, p, this.reference(p));
            p = from = this.p;
            brackets = 0;
            continue;
          }
          brackets = 0;
        }
        p += 1;
        continue;
      }
      brackets = 0;
      if (c === CR) {
        this.appendText(from, p, '\n');
        p = from = s.charCodeAt(p + 1) === LF ? p + 2 : p + 1;
      } else {
        p = this.afterChar(c, p);
      }
    }
    this.appendText(from, p, '');
    this.p = p;
  }

  /** Appends `s[from, to)` and `extra` to the open element's text, within its bound. */
  private appendText(from: number, to: number, extra: string): void {
    if (to === from && extra === '') return;
    const top = this.open[this.open.length - 1]!;
    top.text += to === from ? extra : `${this.s.slice(from, to)}${extra}`;
    if (top.text.length > this.openTextMax[this.openTextMax.length - 1]!) throw new XmlRejected('text too long');
  }

  /** The position after the character at `p` (not printable ASCII, not CR), refusing what is not an XML Char. */
  private afterChar(c: number, p: number): number {
    if (c < 0x20) {
      if (c === LF || c === TAB) return p + 1;
      throw notWellFormed('a character that is not allowed in XML', p);
    }
    if (c < 0xd800) return p + 1;
    if (c <= 0xdbff) {
      const low = this.s.charCodeAt(p + 1);
      if (low >= 0xdc00 && low <= 0xdfff) return p + 2;
    } else if (c >= 0xe000 && c <= 0xfffd) {
      return p + 1;
    }
    throw notWellFormed('a character that is not allowed in XML', p);
  }

  /** Refuses any character of `s[from, to)` that is not an XML Char (comments and CDATA). */
  private checkChars(from: number, to: number): void {
    const { s } = this;
    for (let p = from; p < to;) {
      const c = s.charCodeAt(p);
      p = c >= 0x20 && c < 0x7f ? p + 1 : this.afterChar(c === CR ? LF : c, p);
    }
  }

  /** The expansion of the reference at `p` (an `&`); leaves `this.p` after its `;`. */
  private reference(p: number): string {
    const semicolon = this.s.indexOf(';', p + 1);
    if (semicolon < 0) throw notWellFormed('& without ;', p);
    const name = this.s.slice(p + 1, semicolon);
    this.p = semicolon + 1;
    const predefined = PREDEFINED.get(name);
    if (predefined !== undefined) return predefined;
    let code = Number.NaN;
    if (name.charCodeAt(1) === 0x78 /* x */ && HEX_REFERENCE.test(name)) code = parseInt(name.slice(2), 16);
    else if (DECIMAL_REFERENCE.test(name)) code = parseInt(name.slice(1), 10);
    if (!isXmlChar(code)) {
      throw notWellFormed(name.charCodeAt(0) === 0x23 ? 'a reference to a character not allowed in XML' : 'a reference to an undeclared entity', p);
    }
    return String.fromCodePoint(code);
  }

  private markup(): void {
    const { s, p } = this;
    const c = s.charCodeAt(p + 1);
    if (c === SLASH) this.closeTag();
    else if (c === BANG) this.bang();
    else if (c === QUESTION) {
      if (s.startsWith('<?xml', p) && (isSpace(s.charCodeAt(p + 5)) || s.charCodeAt(p + 5) === QUESTION)) {
        throw notWellFormed('an XML declaration after the start of the document', p);
      }
      throw new XmlRejected('processing instructions are not allowed');
    } else if (this.isNameStartAt(p + 1)) this.openTag();
    else throw notWellFormed('< not followed by a name', p);
  }

  /** Comments (dropped), CDATA sections (text) and the refused DOCTYPE. */
  private bang(): void {
    const { s, p } = this;
    if (s.startsWith('<!--', p)) {
      const close = s.indexOf('--', p + 4);
      if (close < 0) throw notWellFormed('unclosed comment', p);
      if (s.charCodeAt(close + 2) !== GT) throw notWellFormed('-- inside a comment', close);
      this.checkChars(p + 4, close);
      this.p = close + 3;
    } else if (s.startsWith('<![CDATA[', p)) {
      if (this.open.length === 0) throw notWellFormed('CDATA outside the root element', p);
      const close = s.indexOf(']]>', p + 9);
      if (close < 0) throw notWellFormed('unclosed CDATA section', p);
      this.checkChars(p + 9, close);
      this.appendText(p + 9, p + 9, s.slice(p + 9, close).replace(/\r\n?/g, '\n'));
      this.p = close + 3;
    } else if (s.startsWith('<!DOCTYPE', p)) {
      if (this.root !== undefined) throw notWellFormed('a DOCTYPE after the root element started', p);
      throw new XmlRejected('DOCTYPE is not allowed');
    } else {
      throw notWellFormed('<! not followed by a comment or CDATA', p);
    }
  }

  private closeTag(): void {
    const { s } = this;
    const at = this.p;
    const name = this.openNames[this.openNames.length - 1];
    if (name === undefined) throw notWellFormed('a closing tag without an open element', at);
    let p = at + 2 + name.length;
    if (!s.startsWith(name, at + 2) || this.isNameCharAt(p)) throw notWellFormed('a closing tag that does not match the open element', at);
    while (isSpace(s.charCodeAt(p))) p += 1;
    if (s.charCodeAt(p) !== GT) throw notWellFormed('a closing tag not ended by >', p);
    this.p = p + 1;
    this.open.pop();
    this.openNames.pop();
    this.openTextMax.pop();
    this.unbind(this.openMarks.pop()!);
    if (this.open.length === 0) this.rootClosed = true;
  }

  private openTag(): void {
    const { s, bounds } = this;
    const at = this.p;
    const nameEnd = this.nameEnd(at + 1);
    if (this.rootClosed) throw notWellFormed('a second root element', at);
    const after = s.charCodeAt(nameEnd);
    if (after !== GT && after !== SLASH && !isSpace(after)) throw notWellFormed('a character not allowed in a tag name', nameEnd);
    this.elements += 1;
    if (this.elements > bounds.elementsMax) throw new XmlRejected('too many elements');
    if (this.open.length >= bounds.depthMax) throw new XmlRejected('nested too deeply');
    if (nameEnd - at - 1 > bounds.nameCharsMax) throw new XmlRejected('element name too long');
    const name = s.slice(at + 1, nameEnd);
    const colon = this.qnameColon(name, at + 1);
    const mark = this.undoPrefix.length;
    this.p = nameEnd;
    const count = this.attributes(mark);
    const { selfClosing } = this;
    const node = this.element(name, colon, at, count);
    const parent = this.open[this.open.length - 1];
    if (parent) parent.children.push(node);
    else this.root = node;
    const textMax = this.wider?.(node, parent) ?? bounds.textCharsMax;
    this.onScope?.(node, this.resolve);
    if (selfClosing) {
      this.unbind(mark);
      if (!parent) this.rootClosed = true;
    } else {
      this.open.push(node);
      this.openNames.push(name);
      this.openTextMax.push(textMax);
      this.openMarks.push(mark);
    }
  }

  /** The element named `name`, its prefix and attributes resolved with the bindings now in scope. */
  private element(name: string, colon: number, at: number, count: number): XmlElement {
    let uri: string | undefined;
    let local = name;
    if (colon < 0) {
      uri = this.ns.get('') ?? '';
    } else {
      const prefix = name.slice(0, colon);
      if (prefix === 'xmlns') throw notWellFormed('an element with the prefix xmlns', at);
      uri = this.ns.get(prefix);
      if (uri === undefined) throw notWellFormed('an unbound namespace prefix', at);
      local = name.slice(colon + 1);
    }
    const attrs = new Map<string, string>();
    for (let i = 0; i < count; i += 1) {
      const attrName = this.attrNames[i]!;
      const attrColon = this.attrColons[i]!;
      let key = attrName;
      if (attrColon < 0) {
        if (attrName === 'xmlns') continue;
      } else {
        const prefix = attrName.slice(0, attrColon);
        if (prefix === 'xmlns') continue;
        const attrUri = this.ns.get(prefix);
        if (attrUri === undefined) throw notWellFormed('an unbound namespace prefix on an attribute', at);
        key = `{${attrUri}}${attrName.slice(attrColon + 1)}`;
      }
      if (attrs.has(key)) throw notWellFormed('a duplicate attribute', at);
      attrs.set(key, this.attrValues[i]!);
    }
    return { uri, local, attrs, children: [], text: '' };
  }

  /**
   * Reads the attributes up to and past `>` or `/>` (which one: `selfClosing`); returns how many.
   * Declarations are bound as they are read, since they apply to the whole tag.
   */
  private attributes(mark: number): number {
    const { s } = this;
    let count = 0;
    for (;;) {
      let p = this.p;
      const before = p;
      while (isSpace(s.charCodeAt(p))) p += 1;
      const c = s.charCodeAt(p);
      if (c === GT) {
        this.p = p + 1;
        this.selfClosing = false;
        return count;
      }
      if (c === SLASH) {
        if (s.charCodeAt(p + 1) !== GT) throw notWellFormed('/ not followed by > in a tag', p);
        this.p = p + 2;
        this.selfClosing = true;
        return count;
      }
      if (p === before) throw notWellFormed('no white space before an attribute', p);
      if (!this.isNameStartAt(p)) throw notWellFormed('a character not allowed in a tag', p);
      count += 1;
      if (count > this.bounds.attributesPerElementMax) throw new XmlRejected('too many attributes');
      this.p = p;
      this.attribute(count - 1, mark);
    }
  }

  private attribute(index: number, mark: number): void {
    const { s, bounds } = this;
    const at = this.p;
    const nameEnd = this.nameEnd(at);
    if (nameEnd - at > bounds.nameCharsMax) throw new XmlRejected('attribute name too long');
    const name = s.slice(at, nameEnd);
    const colon = this.qnameColon(name, at);
    let p = nameEnd;
    while (isSpace(s.charCodeAt(p))) p += 1;
    if (s.charCodeAt(p) !== EQUALS) throw notWellFormed('an attribute without a value', p);
    p += 1;
    while (isSpace(s.charCodeAt(p))) p += 1;
    const quote = s.charCodeAt(p);
    if (quote !== DQUOTE && quote !== SQUOTE) throw notWellFormed('an attribute value without quotes', p);
    this.p = p + 1;
    const value = this.attributeValue(quote);
    this.attrNames[index] = name;
    this.attrValues[index] = value;
    this.attrColons[index] = colon;
    if (name === 'xmlns') this.bind('', value, mark, at);
    else if (colon === 5 && name.startsWith('xmlns')) this.bind(name.slice(6), value, mark, at);
  }

  /** The value up to `quote`, references expanded and tab, LF, CR and CR LF read as one space each. */
  private attributeValue(quote: number): string {
    const { s, end } = this;
    let p = this.p;
    let from = p;
    let value = '';
    for (;;) {
      if (p >= end) throw notWellFormed('an unclosed attribute value', p);
      const c = s.charCodeAt(p);
      if (c === quote) break;
      if (c >= 0x20 && c < 0x7f) {
        if (c === LT) throw notWellFormed('< in an attribute value', p);
        if (c === AMP) {
          value += s.slice(from, p) + this.reference(p);
          p = from = this.p;
        } else {
          p += 1;
        }
      } else if (c === TAB || c === LF || c === CR) {
        value += `${s.slice(from, p)} `;
        p = from = c === CR && s.charCodeAt(p + 1) === LF ? p + 2 : p + 1;
      } else {
        p = this.afterChar(c, p);
      }
    }
    value += s.slice(from, p);
    this.p = p + 1;
    if (value.length > this.bounds.textCharsMax) throw new XmlRejected('attribute value too long');
    return value;
  }

  /** Binds `prefix` for the element being opened, after the checks of Namespaces in XML 1.0. */
  private bind(prefix: string, value: string, mark: number, at: number): void {
    // saxes trims a namespace name; so does this reader, so that both give the same tree.
    const uri = value.trim();
    if (prefix !== '' && uri === '') throw notWellFormed('a prefix undeclared (not allowed in XML 1.0)', at);
    if ((prefix === 'xml') !== (uri === XML_NS)) throw notWellFormed('the xml prefix and its namespace bound apart', at);
    if (prefix === 'xmlns' || uri === XMLNS_NS) throw notWellFormed('a binding of the xmlns prefix or namespace', at);
    for (let i = mark; i < this.undoPrefix.length; i += 1) {
      if (this.undoPrefix[i] === prefix) throw notWellFormed('a duplicate attribute', at);
    }
    this.undoPrefix.push(prefix);
    this.undoUri.push(this.ns.get(prefix));
    this.ns.set(prefix, uri);
  }

  /** Restores the bindings that were in scope when the undo log was `mark` long. */
  private unbind(mark: number): void {
    const { undoPrefix, undoUri, ns } = this;
    while (undoPrefix.length > mark) {
      const prefix = undoPrefix.pop()!;
      const uri = undoUri.pop();
      if (uri === undefined) ns.delete(prefix);
      else ns.set(prefix, uri);
    }
  }

  /** Where the colon of a QName is (-1 without one), refusing an empty part or a second colon. */
  private qnameColon(name: string, at: number): number {
    const colon = name.indexOf(':');
    if (colon < 0) return colon;
    if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) >= 0 || !this.isNameStartAt(at + colon + 1)) {
      throw notWellFormed('a name that is not a QName', at);
    }
    return colon;
  }

  /** The end of the name whose first character is at `p`. */
  private nameEnd(p: number): number {
    const { s } = this;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c < 0x80) {
        if ((ASCII_NAME[c]! & NAME) === 0) return p;
        p += 1;
      } else if (c >= 0xd800 && c <= 0xdbff) {
        const low = s.charCodeAt(p + 1);
        if (!(low >= 0xdc00 && low <= 0xdfff && isWideNameChar(0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00)))) return p;
        p += 2;
      } else if (isWideNameChar(c)) {
        p += 1;
      } else {
        return p;
      }
    }
  }

  private isNameStartAt(p: number): boolean {
    const c = this.s.charCodeAt(p);
    if (c < 0x80) return (ASCII_NAME[c]! & NAME_START) !== 0;
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = this.s.charCodeAt(p + 1);
      return low >= 0xdc00 && low <= 0xdfff && isWideNameStart(0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00));
    }
    return isWideNameStart(c);
  }

  private isNameCharAt(p: number): boolean {
    return this.nameEnd(p) > p;
  }
}
