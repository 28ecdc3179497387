// WS-Security X.509 signatures (OASIS WSS X.509 Token Profile 1.0, XML-DSig) as the gateway
// accepts them: one ds:Signature in the one wsse:Security header, whose SignedInfo references
// exactly the envelope's one soap:Body and the Security header's one wsu:Timestamp, by wsu:Id;
// exclusive c14n everywhere and no other transform; SHA-256 digests and RSA-SHA256 only; the key
// is a certificate carried in the message (BinarySecurityToken or X509Data) whose SHA-256
// fingerprint the channel's policy pins; the Timestamp fresh.
//
// Why the checks go beyond "the signature is valid" (SECURITY.md X17–X22): a verifier that finds
// the referenced element by Id anywhere lets an attacker move the signed Body into a header and
// put another Body in its place (signature wrapping; xmlsec1 says OK to that). So every Id in the
// document must be unique, and each reference must resolve to the very element the gateway goes
// on to process. Comments inside the Signature are refused (the 2025 xml-crypto bypass read a
// DigestValue cut short by one), as are ds:Object, a second SignedInfo and any algorithm outside
// the list.
//
// Canonicalisation is implemented here rather than taken from xml-crypto: our envelopes are the
// subset where exclusive c14n is short to write (the bounded reader refuses DTDs, entities and
// processing instructions, so there are no entity references, default attributes or PIs to
// render); xml-crypto is only in the tree as a dependency of `soap`, with bypass advisories in
// 2025. The tests check this c14n against libxml2's (lxml) and real signatures from xmlsec1 and
// zeep.

import { createHash, timingSafeEqual, verify as verifyRsa, X509Certificate } from 'node:crypto';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { decodeUtf8, XML_BOUNDS, XMLNS_NS } from '../contract/xml.ts';
import { LIMITS } from '../limits.ts';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const X509_V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const RSA_BITS_MIN = 2048;

export type SignatureRefusal =
  | 'xml-rejected' | 'envelope-shape' | 'no-security-header' | 'no-signature' | 'signature-shape'
  | 'comment-in-signature' | 'duplicate-id' | 'c14n-algorithm-refused' | 'signature-algorithm-refused'
  | 'digest-algorithm-refused' | 'transform-refused' | 'references-not-body-and-timestamp' | 'digest-mismatch'
  | 'key-info-unusable' | 'certificate-not-pinned' | 'certificate-out-of-date' | 'key-too-weak'
  | 'signature-mismatch' | 'timestamp-missing' | 'timestamp-invalid' | 'timestamp-stale' | 'timestamp-future'
  | 'timestamp-expired';

export type SignatureVerdict =
  | {
    readonly ok: true;
    /** The signing certificate's SHA-256 fingerprint, `AB:CD:…`. */
    readonly fingerprint256: string;
    /** SHA-256 of the SignatureValue (hex): a replay cache key for the Timestamp's lifetime. */
    readonly replayKey: string;
    readonly createdMs: number;
  }
  | { readonly ok: false; readonly reason: SignatureRefusal; readonly detail: string };

class Refused extends Error {
  constructor(readonly reason: SignatureRefusal, detail: string) {
    super(detail);
  }
}

// ── A tree that keeps what canonicalisation needs ───────────────────────────────────────────────

export interface Attribute {
  readonly prefix: string;
  readonly local: string;
  readonly uri: string;
  readonly value: string;
}

export interface Element {
  readonly prefix: string;
  readonly local: string;
  readonly uri: string;
  readonly attributes: readonly Attribute[];
  /** Namespace declarations made on this element, prefix ('' for the default) → URI. */
  readonly declarations: ReadonlyMap<string, string>;
  readonly parent: Element | null;
  readonly children: (Element | string)[];
  /** A comment somewhere directly inside (comments are not part of the canonical form). */
  hasComment: boolean;
}

/**
 * Parses the envelope with the same refusals and bounds as src/contract/xml.ts (no DOCTYPE, no
 * processing instruction, depth, counts and lengths), keeping prefixes, declarations and mixed content.
 */
export function parseForSignature(source: string | Uint8Array): Element {
  const text = typeof source === 'string' ? source : decodeUtf8(source);
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: Element[] = [];
  let root: Element | undefined;
  let failure: string | undefined;
  let count = 0;
  const fail = (reason: string): void => {
    failure ??= reason;
  };
  parser.on('error', (error) => fail(`not well-formed: ${error.message.slice(0, 200)}`));
  parser.on('doctype', () => fail('DOCTYPE is not allowed'));
  parser.on('processinginstruction', () => fail('processing instructions are not allowed'));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure) return;
    count += 1;
    const bound = boundsProblem(tag, stack.length, count);
    if (bound) return fail(bound);
    const parent = stack[stack.length - 1] ?? null;
    const node = elementOf(tag, parent);
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  const onText = (chunk: string): void => {
    const top = stack[stack.length - 1];
    if (failure || !top) return;
    if (chunk.length > XML_BOUNDS.textCharsMax) return fail('text too long');
    const last = top.children[top.children.length - 1];
    if (typeof last === 'string') top.children[top.children.length - 1] = last + chunk;
    else top.children.push(chunk);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('comment', () => {
    const top = stack[stack.length - 1];
    if (top) top.hasComment = true;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(text).close();
  } catch (error) {
    fail(`not well-formed: ${(error as Error).message.slice(0, 200)}`);
  }
  if (failure || !root) throw new Refused('xml-rejected', failure ?? 'no document element');
  return root;
}

function boundsProblem(tag: SaxesTagNS, depth: number, count: number): string | undefined {
  if (count > XML_BOUNDS.elementsMax) return 'too many elements';
  if (depth >= XML_BOUNDS.depthMax) return 'nested too deeply';
  if (tag.name.length > XML_BOUNDS.nameCharsMax) return 'element name too long';
  const attributes = Object.values(tag.attributes);
  if (attributes.length > XML_BOUNDS.attributesPerElementMax) return 'too many attributes';
  if (attributes.some((a) => a.name.length > XML_BOUNDS.nameCharsMax || a.value.length > XML_BOUNDS.textCharsMax)) return 'attribute too long';
  return undefined;
}

function elementOf(tag: SaxesTagNS, parent: Element | null): Element {
  const attributes: Attribute[] = [];
  for (const a of Object.values(tag.attributes)) {
    if (a.uri === XMLNS_NS || a.name === 'xmlns') continue;
    attributes.push({ prefix: a.prefix, local: a.local, uri: a.uri, value: a.value });
  }
  return {
    prefix: tag.prefix, local: tag.local, uri: tag.uri, attributes,
    declarations: new Map(Object.entries(tag.ns)), parent, children: [], hasComment: false,
  };
}

// ── Exclusive XML canonicalisation 1.0, without comments ───────────────────────────────────────

function inScope(element: Element): Map<string, string> {
  const chain: Element[] = [];
  for (let e: Element | null = element; e; e = e.parent) chain.unshift(e);
  const scope = new Map<string, string>();
  for (const e of chain) for (const [prefix, uri] of e.declarations) scope.set(prefix, uri);
  return scope;
}

function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const escapeText = (s: string): string => s.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!);
const escapeAttribute = (s: string): string => s.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;',
};

/**
 * The exclusive canonical form (http://www.w3.org/2001/10/xml-exc-c14n#) of an element and its
 * descendants. `inclusivePrefixes` is the InclusiveNamespaces PrefixList ('#default' for the
 * default namespace), whose declarations are rendered as inclusive c14n would.
 */
export function canonicalize(element: Element, inclusivePrefixes: readonly string[] = []): string {
  const out: string[] = [];
  const inclusive = new Set(inclusivePrefixes.map((p) => (p === '#default' ? '' : p)));
  writeCanonical(element, inScope(element), new Map([['', '']]), inclusive, out);
  return out.join('');
}

function writeCanonical(
  element: Element, scope: ReadonlyMap<string, string>, rendered: ReadonlyMap<string, string>, inclusive: ReadonlySet<string>, out: string[],
): void {
  const used = new Set<string>([element.prefix]);
  for (const a of element.attributes) if (a.prefix !== '') used.add(a.prefix);
  for (const p of inclusive) if (scope.has(p)) used.add(p);
  used.delete('xml');
  const next = new Map(rendered);
  const declarations: [string, string][] = [];
  for (const prefix of used) {
    const uri = scope.get(prefix) ?? '';
    if ((rendered.get(prefix) ?? (prefix === '' ? '' : undefined)) === uri) continue;
    declarations.push([prefix, uri]);
    next.set(prefix, uri);
  }
  declarations.sort(([a], [b]) => byCodePoint(a, b));
  const attributes = [...element.attributes].sort((a, b) => byCodePoint(a.uri, b.uri) || byCodePoint(a.local, b.local));
  const name = element.prefix === '' ? element.local : `${element.prefix}:${element.local}`;
  out.push(`<${name}`);
  for (const [prefix, uri] of declarations) out.push(prefix === '' ? ` xmlns="${escapeAttribute(uri)}"` : ` xmlns:${prefix}="${escapeAttribute(uri)}"`);
  for (const a of attributes) out.push(` ${a.prefix === '' ? '' : `${a.prefix}:`}${a.local}="${escapeAttribute(a.value)}"`);
  out.push('>');
  for (const child of element.children) {
    if (typeof child === 'string') {
      out.push(escapeText(child));
    } else {
      const childScope = child.declarations.size === 0 ? scope : new Map([...scope, ...child.declarations]);
      writeCanonical(child, childScope, next, inclusive, out);
    }
  }
  out.push(`</${name}>`);
}

// ── The envelope's parts ─────────────────────────────────────────────────────────────────────────

const elements = (e: Element): Element[] => e.children.filter((c): c is Element => typeof c !== 'string');
const is = (e: Element | undefined, uri: string, local: string): e is Element => e !== undefined && e.uri === uri && e.local === local;
const textOf = (e: Element): string => e.children.filter((c): c is string => typeof c === 'string').join('');
const attribute = (e: Element, uri: string, local: string): string | undefined => e.attributes.find((a) => a.uri === uri && a.local === local)?.value;

function onlyWhitespaceText(e: Element): boolean {
  return e.children.every((c) => typeof c !== 'string' || /^[ \t\r\n]*$/.test(c));
}

interface Envelope {
  readonly body: Element;
  readonly security: Element;
  readonly timestamp: Element;
  readonly signature: Element;
}

function envelopeParts(root: Element): Envelope {
  const soap = root.uri;
  if ((soap !== SOAP11_NS && soap !== SOAP12_NS) || root.local !== 'Envelope') throw new Refused('envelope-shape', 'not a SOAP envelope');
  const parts = elements(root);
  const [header, body, ...rest] = parts;
  if (!is(header, soap, 'Header') || !is(body, soap, 'Body') || rest.length > 0 || !onlyWhitespaceText(root)) {
    throw new Refused('envelope-shape', 'expected exactly a Header and a Body');
  }
  const securities = elements(header).filter((e) => is(e, WSSE_NS, 'Security'));
  if (securities.length !== 1) throw new Refused('no-security-header', `${securities.length} wsse:Security headers`);
  const security = securities[0]!;
  const signatures = elements(security).filter((e) => is(e, DSIG_NS, 'Signature'));
  if (signatures.length !== 1) throw new Refused('no-signature', `${signatures.length} ds:Signature elements in the Security header`);
  const timestamps = elements(security).filter((e) => is(e, WSU_NS, 'Timestamp'));
  if (timestamps.length !== 1) throw new Refused('timestamp-missing', `${timestamps.length} wsu:Timestamp elements in the Security header`);
  return { body, security, timestamp: timestamps[0]!, signature: signatures[0]! };
}

/** Every Id-like attribute of the document, which must be unique: one Id, one element. */
function idIndex(root: Element): Map<string, Element> {
  const index = new Map<string, Element>();
  let signatures = 0;
  const visit = (e: Element): void => {
    if (is(e, DSIG_NS, 'Signature')) signatures += 1;
    for (const a of e.attributes) {
      const idLike = (a.uri === '' && (a.local === 'Id' || a.local === 'ID' || a.local === 'id'))
        || (a.uri === WSU_NS && a.local === 'Id') || (a.uri === XML_NS && a.local === 'id');
      if (!idLike) continue;
      if (index.has(a.value)) throw new Refused('duplicate-id', `the Id "${a.value.slice(0, 64)}" appears more than once`);
      index.set(a.value, e);
    }
    for (const child of elements(e)) visit(child);
  };
  visit(root);
  if (signatures !== 1) throw new Refused('signature-shape', `${signatures} ds:Signature elements in the document`);
  return index;
}

// ── SignedInfo ───────────────────────────────────────────────────────────────────────────────────

interface Reference {
  readonly target: Element;
  readonly inclusivePrefixes: readonly string[];
  readonly digest: Buffer;
}

interface SignedInfo {
  readonly element: Element;
  readonly inclusivePrefixes: readonly string[];
  readonly references: readonly Reference[];
  readonly signatureValue: Buffer;
  readonly keyInfo: Element;
}

function noComments(e: Element): void {
  if (e.hasComment) throw new Refused('comment-in-signature', `a comment inside ds:${e.local}`);
  for (const child of elements(e)) noComments(child);
}

/** Strict base64 (whitespace between characters allowed, as base64Binary and xmlsec's line breaks). */
function base64Value(e: Element, what: string): Buffer {
  const text = textOf(e).replace(/[ \t\r\n]/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text) || text === '') {
    throw new Refused('signature-shape', `${what} is not base64`);
  }
  return Buffer.from(text, 'base64');
}

/** The PrefixList of an exclusive c14n method or transform (its only allowed child). */
function excC14nPrefixes(method: Element, refusal: SignatureRefusal): readonly string[] {
  if (attribute(method, '', 'Algorithm') !== EXC_C14N) throw new Refused(refusal, `algorithm ${attribute(method, '', 'Algorithm') ?? '(none)'}`);
  const children = elements(method);
  if (children.length === 0) return [];
  const [list, ...more] = children;
  if (more.length > 0 || !is(list, EXC_C14N, 'InclusiveNamespaces')) throw new Refused(refusal, 'unexpected content in the c14n method');
  return (attribute(list, '', 'PrefixList') ?? '').split(/[ \t\r\n]+/).filter((p) => p !== '');
}

function readReference(reference: Element, ids: ReadonlyMap<string, Element>): Reference {
  const children = elements(reference);
  const [transforms, digestMethod, digestValue, ...more] = is(children[0], DSIG_NS, 'Transforms') ? children : [undefined, ...children];
  if (!transforms) throw new Refused('transform-refused', 'a reference without the exclusive c14n transform');
  if (!is(digestMethod, DSIG_NS, 'DigestMethod') || !is(digestValue, DSIG_NS, 'DigestValue') || more.length > 0) {
    throw new Refused('signature-shape', 'a Reference is not Transforms, DigestMethod, DigestValue');
  }
  const transformList = elements(transforms);
  if (transformList.length !== 1 || !is(transformList[0], DSIG_NS, 'Transform')) {
    throw new Refused('transform-refused', `${transformList.length} transforms where only exclusive c14n is allowed`);
  }
  const inclusivePrefixes = excC14nPrefixes(transformList[0], 'transform-refused');
  if (attribute(digestMethod, '', 'Algorithm') !== SHA256 || elements(digestMethod).length > 0) {
    throw new Refused('digest-algorithm-refused', `digest ${attribute(digestMethod, '', 'Algorithm') ?? '(none)'}`);
  }
  const uri = attribute(reference, '', 'URI') ?? '';
  const target = /^#[^#()\s]+$/.test(uri) ? ids.get(uri.slice(1)) : undefined;
  if (!target) throw new Refused('references-not-body-and-timestamp', `a reference to "${uri.slice(0, 64)}"`);
  return { target, inclusivePrefixes, digest: base64Value(digestValue, 'a DigestValue') };
}

function readSignedInfo(signature: Element, ids: ReadonlyMap<string, Element>): SignedInfo {
  noComments(signature);
  const [signedInfo, signatureValue, keyInfo, ...more] = elements(signature);
  if (!is(signedInfo, DSIG_NS, 'SignedInfo') || !is(signatureValue, DSIG_NS, 'SignatureValue') || !is(keyInfo, DSIG_NS, 'KeyInfo') || more.length > 0) {
    throw new Refused('signature-shape', 'a Signature is exactly SignedInfo, SignatureValue and KeyInfo (no Object)');
  }
  const [c14nMethod, signatureMethod, ...references] = elements(signedInfo);
  if (!is(c14nMethod, DSIG_NS, 'CanonicalizationMethod') || !is(signatureMethod, DSIG_NS, 'SignatureMethod')) {
    throw new Refused('signature-shape', 'SignedInfo starts with CanonicalizationMethod and SignatureMethod');
  }
  const inclusivePrefixes = excC14nPrefixes(c14nMethod, 'c14n-algorithm-refused');
  if (attribute(signatureMethod, '', 'Algorithm') !== RSA_SHA256 || elements(signatureMethod).length > 0) {
    throw new Refused('signature-algorithm-refused', `signature ${attribute(signatureMethod, '', 'Algorithm') ?? '(none)'}`);
  }
  if (references.some((r) => !is(r, DSIG_NS, 'Reference'))) throw new Refused('signature-shape', 'SignedInfo holds only References after the methods');
  return {
    element: signedInfo, inclusivePrefixes,
    references: references.map((r) => readReference(r, ids)),
    signatureValue: base64Value(signatureValue, 'the SignatureValue'), keyInfo,
  };
}

// ── The key ─────────────────────────────────────────────────────────────────────────────────────

function certificateElement(keyInfo: Element, security: Element, ids: ReadonlyMap<string, Element>): Element {
  const [child, ...more] = elements(keyInfo);
  if (more.length > 0 || !child) throw new Refused('key-info-unusable', 'KeyInfo holds one SecurityTokenReference or X509Data');
  if (is(child, DSIG_NS, 'X509Data')) {
    const certificates = elements(child).filter((e) => is(e, DSIG_NS, 'X509Certificate'));
    if (certificates.length !== 1) throw new Refused('key-info-unusable', 'X509Data holds one X509Certificate');
    return certificates[0]!;
  }
  const [reference, ...others] = is(child, WSSE_NS, 'SecurityTokenReference') ? elements(child) : [];
  const uri = reference && is(reference, WSSE_NS, 'Reference') && others.length === 0 ? attribute(reference, '', 'URI') ?? '' : '';
  const token = uri.startsWith('#') ? ids.get(uri.slice(1)) : undefined;
  // The token must be a BinarySecurityToken of this Security header, not one planted elsewhere.
  if (!token || !is(token, WSSE_NS, 'BinarySecurityToken') || token.parent !== security) {
    throw new Refused('key-info-unusable', 'the key is not a BinarySecurityToken of the Security header');
  }
  const encoding = attribute(token, '', 'EncodingType');
  if (attribute(token, '', 'ValueType') !== X509_V3 || (encoding !== undefined && encoding !== BASE64_BINARY)) {
    throw new Refused('key-info-unusable', 'the BinarySecurityToken is not a base64 X.509 v3 certificate');
  }
  return token;
}

const pinForm = (fingerprint: string): string => fingerprint.replace(/:/g, '').toLowerCase();

function signingCertificate(element: Element, pins: readonly string[], nowMs: number): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(base64Value(element, 'the certificate'));
  } catch (error) {
    if (error instanceof Refused) throw error;
    throw new Refused('key-info-unusable', 'the certificate cannot be read');
  }
  const fingerprint = pinForm(certificate.fingerprint256);
  if (!pins.some((pin) => pinForm(pin) === fingerprint)) throw new Refused('certificate-not-pinned', certificate.fingerprint256);
  if (Date.parse(certificate.validFrom) > nowMs || Date.parse(certificate.validTo) <= nowMs) {
    throw new Refused('certificate-out-of-date', `valid ${certificate.validFrom} to ${certificate.validTo}`);
  }
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < RSA_BITS_MIN) {
    throw new Refused('key-too-weak', `${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.modulusLength ?? 0} bits`);
  }
  return certificate;
}

// ── The Timestamp ───────────────────────────────────────────────────────────────────────────────

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function timeOf(e: Element | undefined): number {
  const text = e ? textOf(e).trim() : '';
  const ms = DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new Refused('timestamp-invalid', 'Created and Expires must be xsd:dateTime with a zone');
  return ms;
}

/** Created within the skew window of our clock either way; Expires, when sent, after Created and not past. */
function checkTimestamp(timestamp: Element, nowMs: number): number {
  const [created, expires, ...more] = elements(timestamp);
  if (!is(created, WSU_NS, 'Created') || (expires !== undefined && !is(expires, WSU_NS, 'Expires')) || more.length > 0) {
    throw new Refused('timestamp-invalid', 'a Timestamp is Created and an optional Expires');
  }
  const createdMs = timeOf(created);
  const skewMs = LIMITS.wsseCreatedSkewMs;
  if (createdMs > nowMs + skewMs) throw new Refused('timestamp-future', 'Created lies ahead of our clock');
  if (createdMs < nowMs - skewMs) throw new Refused('timestamp-stale', 'Created lies too far in the past');
  if (expires !== undefined) {
    const expiresMs = timeOf(expires);
    if (expiresMs <= createdMs) throw new Refused('timestamp-invalid', 'Expires is not after Created');
    // The sender's own lifetime, as sent: the skew allowance is already in the Created check.
    if (expiresMs <= nowMs) throw new Refused('timestamp-expired', 'the Timestamp has expired');
  }
  return createdMs;
}

// ── Verification ────────────────────────────────────────────────────────────────────────────────

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface VerifyOptions {
  /** The channel's pinned certificate fingerprints (SHA-256, `AB:CD:…` or plain hex). */
  readonly pins: readonly string[];
  readonly nowMs: number;
}

function verifyParsed(root: Element, options: VerifyOptions): SignatureVerdict {
  const envelope = envelopeParts(root);
  const ids = idIndex(root);
  const signed = readSignedInfo(envelope.signature, ids);
  const targets = signed.references.map((r) => r.target);
  if (targets.length !== 2 || !targets.includes(envelope.body) || !targets.includes(envelope.timestamp)) {
    throw new Refused('references-not-body-and-timestamp', `${targets.length} references; exactly the Body and the Timestamp must be signed`);
  }
  const certificate = signingCertificate(certificateElement(signed.keyInfo, envelope.security, ids), options.pins, options.nowMs);
  const signedBytes = Buffer.from(canonicalize(signed.element, signed.inclusivePrefixes), 'utf8');
  if (!verifyRsa('sha256', signedBytes, certificate.publicKey, signed.signatureValue)) {
    throw new Refused('signature-mismatch', 'the SignatureValue does not verify with the pinned certificate');
  }
  for (const reference of signed.references) {
    if (!sameBytes(sha256(canonicalize(reference.target, reference.inclusivePrefixes)), reference.digest)) {
      throw new Refused('digest-mismatch', `the digest of ${reference.target.local} does not match`);
    }
  }
  const createdMs = checkTimestamp(envelope.timestamp, options.nowMs);
  return {
    ok: true, fingerprint256: certificate.fingerprint256, createdMs,
    replayKey: createHash('sha256').update(signed.signatureValue).digest('hex'),
  };
}

/** Verifies the X.509 signature of a SOAP envelope (its bytes as received); see the file comment. */
export function verifyX509Signature(envelope: string | Uint8Array, options: VerifyOptions): SignatureVerdict {
  try {
    let root: Element;
    try {
      root = parseForSignature(envelope);
    } catch (error) {
      if (error instanceof Refused) throw error;
      throw new Refused('xml-rejected', (error as Error).message);
    }
    return verifyParsed(root, options);
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason, detail: error.message };
    throw error;
  }
}

/**
 * The gateway's authenticate-stage hook (src/gateway/authenticate.ts `VerifySignature`): the
 * envelope's bytes against the pinned fingerprints of the channel it claims to be.
 */
export function verifySignatureHook(input: {
  readonly body: Uint8Array;
  readonly channel: { readonly certificateFingerprints: readonly string[] };
  readonly nowMs: number;
}): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  const verdict = verifyX509Signature(input.body, { pins: input.channel.certificateFingerprints, nowMs: input.nowMs });
  return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason };
}
