// Signatures made by independent implementations (xmlsec1 and zeep, both on libxmlsec1) must verify;
// tampered, wrapped, weak or unpinned ones must not. xmlsec1 and python3-xmlsec are Debian packages
// (xmlsec1, python3-xmlsec, python3-zeep); without them this suite is skipped, naming them.

import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { caPaths, initCa, issueChannelCertificate } from '../../src/gateway/ca-store.ts';
import {
  canonicalize, parseForSignature, verifySignatureHook, verifyX509Signature, type SignatureVerdict,
} from '../../src/gateway/x509-signature.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/gateway/', import.meta.url));
const PYTHON = '/usr/bin/python3';
const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const B64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const CREATED = '2026-11-20T08:00:00Z';
const EXPIRES = '2026-11-20T08:05:00Z';
const NOW_MS = Date.parse(CREATED) + 60_000;

function toolsMissing(): string | null {
  if (spawnSync('xmlsec1', ['--version']).status !== 0) return 'xmlsec1';
  if (spawnSync(PYTHON, ['-c', 'import xmlsec, zeep, lxml']).status !== 0) return 'python3-xmlsec python3-zeep python3-lxml';
  return null;
}

interface Parts {
  readonly cert: string;
  readonly created?: string;
  readonly expires?: string | null;
  readonly signatureMethod?: string;
  readonly digestMethod?: string;
  readonly transform?: string;
  readonly references?: readonly string[];
  readonly c14n?: string;
  readonly body?: string;
  readonly bodyId?: string;
  readonly keyInfo?: string;
  readonly timestamp?: boolean;
}

/** A signature template in the shape WSS4J, .NET and zeep send: xmlsec1 --sign fills it in. */
function envelope(p: Parts): string {
  const transform = p.transform ?? `<ds:Transform Algorithm="${EXC}"/>`;
  const reference = (uri: string): string => `<ds:Reference URI="${uri}"><ds:Transforms>${transform}</ds:Transforms>`
    + `<ds:DigestMethod Algorithm="${p.digestMethod ?? SHA256}"/><ds:DigestValue/></ds:Reference>`;
  const expires = p.expires === null ? '' : `<wsu:Expires>${p.expires ?? EXPIRES}</wsu:Expires>`;
  const timestamp = p.timestamp === false ? '' : `<wsu:Timestamp wsu:Id="ts-1"><wsu:Created>${p.created ?? CREATED}</wsu:Created>${expires}</wsu:Timestamp>`;
  return `<soap:Envelope xmlns:soap="${SOAP}" xmlns:wsu="${WSU}" xmlns:unused="urn:unused"><soap:Header>`
    + `<wsse:Security xmlns:wsse="${WSSE}" soap:mustUnderstand="1">`
    + `<wsse:BinarySecurityToken wsu:Id="X509-1" ValueType="${X509V3}" EncodingType="${B64}">${p.cert}</wsse:BinarySecurityToken>`
    + '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    + (p.c14n ?? `<ds:CanonicalizationMethod Algorithm="${EXC}"/>`)
    + `<ds:SignatureMethod Algorithm="${p.signatureMethod ?? RSA_SHA256}"/>`
    + (p.references ?? ['#body-1', '#ts-1']).map(reference).join('')
    + '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo>'
    + (p.keyInfo ?? `<wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="${X509V3}"/></wsse:SecurityTokenReference>`)
    + `</ds:KeyInfo></ds:Signature>${timestamp}</wsse:Security></soap:Header>`
    + `<soap:Body wsu:Id="${p.bodyId ?? 'body-1'}">${p.body ?? BODY}</soap:Body></soap:Envelope>`;
}

const BODY = '<cp:Pay xmlns:cp="urn:gridbill:channel-payment:v1" b="2" a="1">\n  <cp:customerNo>330000000019</cp:customerNo>'
  + '\n  <cp:amount>100.00</cp:amount><cp:note>a &amp; b &lt; c &gt; "d" &#13;</cp:note>\n</cp:Pay>';

describe('X.509 signatures over Body and Timestamp (WS-Security)', function () {
  this.timeout(60_000);
  let dir: string;
  let work: string;
  let pin: string;
  const certBase64 = (code: string): string => readFileSync(caPaths(dir).channelCert(code), 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');

  before(function () {
    const missing = toolsMissing();
    if (missing) {
      if (process.env.CI) throw new Error(`Debian packages needed: ${missing}`);
      console.warn(`      skipped: install the Debian packages ${missing}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'gridbill-sig-ca-'));
    work = mkdtempSync(join(tmpdir(), 'gridbill-sig-'));
    // Certificates valid at NOW_MS, the fixed time the messages below are verified at.
    const now = new Date(NOW_MS - 86_400_000);
    initCa(dir, { now });
    issueChannelCertificate(dir, { channel: 'icbc', now });
    issueChannelCertificate(dir, { channel: 'other', now });
    issueChannelCertificate(dir, { channel: 'old', now: new Date(NOW_MS - 30 * 86_400_000), days: 1 });
    pin = new X509Certificate(readFileSync(caPaths(dir).channelCert('icbc'))).fingerprint256;
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function xmlsecSign(template: string, code = 'icbc'): string {
    const input = join(work, 'template.xml');
    const output = join(work, 'signed.xml');
    writeFileSync(input, template);
    rmSync(output, { force: true });
    const run = spawnSync('xmlsec1', ['--sign', '--privkey-pem', caPaths(dir).channelKey(code), '--id-attr:Id', 'Body', '--id-attr:Id', 'Timestamp',
      '--id-attr:Id', 'BinarySecurityToken', '--output', output, input], { encoding: 'utf8' });
    if (run.status !== 0 || !existsSync(output)) throw new Error(`xmlsec1 --sign failed: ${run.stderr}`);
    return readFileSync(output, 'utf8');
  }

  function xmlsecVerifies(signed: string, code = 'icbc'): boolean {
    const input = join(work, 'verify.xml');
    writeFileSync(input, signed);
    return spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', caPaths(dir).channelCert(code), '--id-attr:Id', 'Body', '--id-attr:Id', 'Timestamp', input]).status === 0;
  }

  function zeepSign(sha256: boolean): string {
    const plain = envelope({ cert: '' }).replace(/<wsse:BinarySecurityToken.*<\/wsse:Security>/, '</wsse:Security>').replace(' wsu:Id="body-1"', '');
    const run = spawnSync(PYTHON, [join(FIXTURES, 'zeep-sign.py'), caPaths(dir).channelKey('icbc'), caPaths(dir).channelCert('icbc'), ...(sha256 ? ['--sha256'] : [])], { input: plain, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`zeep-sign.py failed: ${run.stderr}`);
    return run.stdout;
  }

  const verify = (xml: string, options: { nowMs?: number; pins?: string[] } = {}): SignatureVerdict =>
    verifyX509Signature(xml, { pins: options.pins ?? [pin], nowMs: options.nowMs ?? NOW_MS });
  const reason = (xml: string, options: { nowMs?: number; pins?: string[] } = {}): string => {
    const verdict = verify(xml, options);
    return verdict.ok ? 'ok' : verdict.reason;
  };

  describe('accepts real signatures', () => {
    it('made by xmlsec1, answering the signer\'s fingerprint and a replay key', () => {
      const signed = xmlsecSign(envelope({ cert: certBase64('icbc') }));
      expect(xmlsecVerifies(signed)).to.equal(true);
      const verdict = verify(signed);
      expect(verdict).to.deep.include({ ok: true, fingerprint256: pin, createdMs: Date.parse(CREATED) });
      expect(verdict.ok && verdict.replayKey).to.match(/^[0-9a-f]{64}$/);
      expect(verify(signed, { pins: [pin.replace(/:/g, '').toLowerCase()] }).ok, 'a pin in plain hex').to.equal(true);
    });

    it('made by xmlsec1 with an InclusiveNamespaces prefix list, and with the certificate in X509Data', () => {
      const prefixList = `<ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="soap unused"/>`;
      const inclusive = xmlsecSign(envelope({
        cert: certBase64('icbc'), transform: `<ds:Transform Algorithm="${EXC}">${prefixList}</ds:Transform>`,
        c14n: `<ds:CanonicalizationMethod Algorithm="${EXC}">${prefixList}</ds:CanonicalizationMethod>`,
      }));
      expect(reason(inclusive)).to.equal('ok');
      const x509Data = xmlsecSign(envelope({ cert: certBase64('icbc'), keyInfo: `<ds:X509Data><ds:X509Certificate>${certBase64('icbc')}</ds:X509Certificate></ds:X509Data>` }));
      expect(reason(x509Data)).to.equal('ok');
    });

    it('made by zeep (the interop client) with RSA-SHA256, at the time it was made', () => {
      const signed = zeepSign(true);
      expect(reason(signed, { nowMs: Date.now() })).to.equal('ok');
    });

    it('through the authenticate stage hook, with the channel\'s pinned fingerprints', () => {
      const signed = Buffer.from(xmlsecSign(envelope({ cert: certBase64('icbc') })));
      expect(verifySignatureHook({ body: signed, channel: { certificateFingerprints: [pin] }, nowMs: NOW_MS })).to.deep.equal({ ok: true });
      expect(verifySignatureHook({ body: signed, channel: { certificateFingerprints: [] }, nowMs: NOW_MS }))
        .to.deep.equal({ ok: false, reason: 'certificate-not-pinned' });
    });
  });

  describe('refuses tampering', () => {
    let signed: string;
    before(() => {
      signed = xmlsecSign(envelope({ cert: certBase64('icbc') }));
    });

    it('a changed Body or Timestamp (digest), a changed SignedInfo or SignatureValue (signature)', () => {
      expect(reason(signed.replace('100.00', '900.00'))).to.equal('digest-mismatch');
      expect(reason(signed.replace(`<wsu:Expires>${EXPIRES}`, '<wsu:Expires>2026-11-20T09:05:00Z'))).to.equal('digest-mismatch');
      expect(reason(signed.replace('URI="#body-1"', 'URI="#body-1" Id="r"'))).to.equal('signature-mismatch');
      const value = /<ds:SignatureValue>([^<]+)</.exec(signed)![1]!;
      const flipped = value.startsWith('A') ? `B${value.slice(1)}` : `A${value.slice(1)}`;
      expect(reason(signed.replace(value, flipped))).to.equal('signature-mismatch');
    });

    /** The signed message cut around its soap:Body, to move that Body elsewhere and put another in its place. */
    function aroundBody(): { readonly head: string; readonly body: string; readonly tail: string } {
      const start = signed.indexOf('<soap:Body');
      const end = signed.indexOf('</soap:Body>') + '</soap:Body>'.length;
      return { head: signed.slice(0, start), body: signed.slice(start, end), tail: signed.slice(end) };
    }
    const evilBody = (attributes = ''): string => `<soap:Body${attributes}>${BODY.replace('100.00', '900.00')}</soap:Body>`;

    it('signature wrapping: the signed Body moved into a header and another Body processed (which xmlsec1 accepts)', () => {
      const { head, body, tail } = aroundBody();
      const wrapped = head.replace('</wsse:Security>', `</wsse:Security><w:Wrapper xmlns:w="urn:evil">${body}</w:Wrapper>`) + evilBody() + tail;
      expect(xmlsecVerifies(wrapped), 'xmlsec1 says the signature is valid').to.equal(true);
      expect(reason(wrapped)).to.equal('references-not-body-and-timestamp');
    });

    it('signature wrapping with a second element of the same Id, or the signed Body inside ds:Object', () => {
      const { head, body, tail } = aroundBody();
      const duplicated = head.replace('</wsse:Security>', `</wsse:Security><w:Wrapper xmlns:w="urn:evil">${body}</w:Wrapper>`) + evilBody(' wsu:Id="body-1"') + tail;
      expect(reason(duplicated)).to.equal('duplicate-id');
      const inObject = head.replace('</ds:KeyInfo>', `</ds:KeyInfo><ds:Object>${body}</ds:Object>`) + evilBody() + tail;
      expect(reason(inObject)).to.equal('signature-shape');
    });

    it('a second Signature or SignedInfo, a comment in a DigestValue, a removed signature', () => {
      const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
      const second = signature.replace('<ds:Signature ', `<ds:Signature xmlns:wsse="${WSSE}" `);
      expect(reason(signed.replace('<cp:customerNo>', `<cp:customerNo>${second}`))).to.equal('signature-shape');
      const signedInfo = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(signed)![0];
      expect(reason(signed.replace(signedInfo, signedInfo + signedInfo))).to.equal('signature-shape');
      expect(reason(signed.replace(/(<ds:DigestValue>[^<]{4})/, '$1<!-- x -->'))).to.equal('comment-in-signature');
      expect(reason(signed.replace(signature, ''))).to.equal('no-signature');
    });
  });

  describe('refuses what it was not signed over', () => {
    it('only the Body, an extra reference, a reference to nothing', () => {
      expect(reason(xmlsecSign(envelope({ cert: certBase64('icbc'), references: ['#body-1'] })))).to.equal('references-not-body-and-timestamp');
      expect(reason(xmlsecSign(envelope({ cert: certBase64('icbc'), references: ['#body-1', '#ts-1', '#X509-1'] })))).to.equal('references-not-body-and-timestamp');
      const signed = xmlsecSign(envelope({ cert: certBase64('icbc') }));
      expect(reason(signed.replace('URI="#ts-1"', 'URI="#ts-2"'))).to.equal('references-not-body-and-timestamp');
      expect(reason(signed.replace('URI="#ts-1"', 'URI=""'))).to.equal('references-not-body-and-timestamp');
    });

    it('no Timestamp, a stale or a future one, an expired one', () => {
      const noTimestamp = xmlsecSign(envelope({ cert: certBase64('icbc'), references: ['#body-1'], timestamp: false }));
      expect(reason(noTimestamp)).to.equal('timestamp-missing');
      const signed = xmlsecSign(envelope({ cert: certBase64('icbc'), expires: null }));
      expect(reason(signed, { nowMs: Date.parse(CREATED) + 301_000 })).to.equal('timestamp-stale');
      expect(reason(signed, { nowMs: Date.parse(CREATED) - 301_000 })).to.equal('timestamp-future');
      const short = xmlsecSign(envelope({ cert: certBase64('icbc'), expires: '2026-11-20T08:00:30Z' }));
      expect(reason(short)).to.equal('timestamp-expired');
      const backwards = xmlsecSign(envelope({ cert: certBase64('icbc'), expires: '2026-11-20T07:00:00Z' }));
      expect(reason(backwards)).to.equal('timestamp-invalid');
      const local = xmlsecSign(envelope({ cert: certBase64('icbc'), created: '2026-11-20T08:00:00' }));
      expect(reason(local)).to.equal('timestamp-invalid');
    });
  });

  describe('refuses weak or foreign algorithms and keys', () => {
    it('SHA-1 digests and RSA-SHA1 signatures (xmlsec1 and zeep\'s default), HMAC', () => {
      expect(reason(xmlsecSign(envelope({ cert: certBase64('icbc'), digestMethod: SHA1 })))).to.equal('digest-algorithm-refused');
      expect(reason(xmlsecSign(envelope({ cert: certBase64('icbc'), signatureMethod: RSA_SHA1 })))).to.equal('signature-algorithm-refused');
      expect(reason(zeepSign(false), { nowMs: Date.now() })).to.equal('signature-algorithm-refused');
      const signed = xmlsecSign(envelope({ cert: certBase64('icbc') }));
      expect(reason(signed.replace(RSA_SHA256, 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256'))).to.equal('signature-algorithm-refused');
      expect(reason(signed.replace(`<ds:CanonicalizationMethod Algorithm="${EXC}"/>`, '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>')))
        .to.equal('c14n-algorithm-refused');
    });

    it('XPath, enveloped-signature and XSLT transforms, and a reference without the c14n transform', () => {
      const xpath = `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform><ds:Transform Algorithm="${EXC}"/>`;
      expect(reason(xmlsecSign(envelope({ cert: certBase64('icbc'), transform: xpath })))).to.equal('transform-refused');
      const enveloped = `<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="${EXC}"/>`;
      expect(reason(xmlsecSign(envelope({ cert: certBase64('icbc'), transform: enveloped })))).to.equal('transform-refused');
      const signed = xmlsecSign(envelope({ cert: certBase64('icbc') }));
      expect(reason(signed.replace(`<ds:Transform Algorithm="${EXC}"/>`, '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>'))).to.equal('transform-refused');
      expect(reason(signed.replace(/<ds:Transforms>.*?<\/ds:Transforms>/, ''))).to.equal('transform-refused');
    });

    it('a certificate that is not pinned (another channel\'s), an expired one, a token outside the Security header', () => {
      expect(reason(xmlsecSign(envelope({ cert: certBase64('other') }), 'other'))).to.equal('certificate-not-pinned');
      const oldPin = new X509Certificate(readFileSync(caPaths(dir).channelCert('old'))).fingerprint256;
      expect(reason(xmlsecSign(envelope({ cert: certBase64('old') }), 'old'), { pins: [oldPin] })).to.equal('certificate-out-of-date');
      const signed = xmlsecSign(envelope({ cert: certBase64('icbc') }));
      const token = /<wsse:BinarySecurityToken[\s\S]*?<\/wsse:BinarySecurityToken>/.exec(signed)![0];
      expect(reason(signed.replace(token, '').replace('<soap:Header>', `<soap:Header><x:T xmlns:x="urn:x" xmlns:wsse="${WSSE}">${token}</x:T>`))).to.equal('key-info-unusable');
    });

    it('a message that is not a well-formed envelope without DTD', () => {
      const signed = xmlsecSign(envelope({ cert: certBase64('icbc') }));
      expect(reason(`<!DOCTYPE x [<!ENTITY e "1">]>${signed.replace(/^<\?xml[^>]*>\s*/, '')}`)).to.equal('xml-rejected');
      expect(reason(signed.replace('</soap:Envelope>', ''))).to.equal('xml-rejected');
      expect(reason(signed.replace(`xmlns:soap="${SOAP}"`, 'xmlns:soap="urn:not-soap"'))).to.equal('envelope-shape');
      expect(reason(signed.replace(/<wsse:Security /, `<wsse:Security xmlns:wsse="${WSSE}" wsu:Id="x"/><wsse:Security `))).to.equal('no-security-header');
    });
  });

  describe('exclusive canonicalisation', () => {
    it('matches libxml2 (lxml) on generated documents: namespaces, attributes, text, comments, CDATA', () => {
      const cases = generatedDocuments(300);
      const run = spawnSync(PYTHON, [join(FIXTURES, 'lxml-c14n.py')], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(run.status, run.stderr).to.equal(0);
      const expected = JSON.parse(run.stdout) as string[];
      cases.forEach((c, i) => {
        const target = findTarget(parseForSignature(c.xml));
        expect(canonicalize(target, c.prefixes), c.xml).to.equal(expected[i]);
      });
    });
  });
});

// ── Generated documents for the c14n comparison ─────────────────────────────────────────────────

type Node = ReturnType<typeof parseForSignature>;

function findTarget(e: Node): Node {
  if (e.attributes.some((a) => a.local === 'target')) return e;
  for (const child of e.children) {
    if (typeof child === 'string') continue;
    const found = ((): Node | undefined => {
      try {
        return findTarget(child);
      } catch {
        return undefined;
      }
    })();
    if (found) return found;
  }
  throw new Error('no target');
}

function generatedDocuments(count: number): { xml: string; prefixes: string[] }[] {
  let seed = 20261120;
  const random = (n: number): number => {
    // mulberry32: a small seeded generator, so a failing document can be reproduced
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pick = <T>(items: readonly T[]): T => items[random(items.length)]!;
  const prefixes = ['', 'a', 'b', 'c'];
  // No '&' in a namespace URI: libxml2 writes it unescaped in a namespace declaration, where the
  // c14n specification (and this implementation, and Apache Santuario) escape it as in attributes.
  const uris = ['urn:one', 'urn:two', 'http://example.com/three?x=1;y=2', 'urn:four'];
  const texts = ['', 'plain', ' a & b ', '<tag>', '"quoted" \'single\'', 'tab\there', 'line\nbreak', '中文 ∑ 😀', '&#13;cr'];
  const escape = (s: string): string => s.replace(/&(?!#13;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const documents: { xml: string; prefixes: string[] }[] = [];
  for (let n = 0; n < count; n += 1) {
    let targetPlaced = false;
    const element = (depth: number, scope: Map<string, string>): string => {
      const own = new Map<string, string>();
      for (let i = random(3); i > 0; i -= 1) own.set(pick(prefixes), pick(uris));
      if (random(6) === 0) own.set('', '');
      const inner = new Map([...scope, ...own]);
      let prefix = pick(prefixes);
      if (prefix !== '' && !inner.get(prefix)) prefix = '';
      const attributes = new Map<string, string>();
      for (let i = random(4); i > 0; i -= 1) {
        const p = pick(prefixes.filter((x) => x === '' || inner.get(x)));
        const local = pick(['x', 'y', 'z', 'Id']);
        const key = `${p === '' ? '' : inner.get(p)}|${local}`;
        if (![...attributes.keys()].some((k) => k.split('\u0000')[0] === key)) attributes.set(`${key}\u0000${p === '' ? local : `${p}:${local}`}`, pick(texts));
      }
      if (!targetPlaced && (depth >= 2 || random(3) === 0) && depth > 0) {
        targetPlaced = true;
        attributes.set('|target\u0000target', 'yes');
      }
      const name = `${prefix === '' ? '' : `${prefix}:`}e${depth}`;
      const declarations = [...own].map(([p, u]) => (p === '' ? ` xmlns="${escape(u)}"` : ` xmlns:${p}="${escape(u)}"`)).join('');
      const attrs = [...attributes].map(([k, v]) => ` ${k.split('\u0000')[1]}="${escape(v)}"`).join('');
      let content = '';
      for (let i = depth < 4 ? random(4) : 0; i > 0; i -= 1) {
        const kind = random(5);
        if (kind === 0) content += escape(pick(texts));
        else if (kind === 1) content += '<!-- note -->';
        else if (kind === 2) content += `<![CDATA[${pick(['x < y', ']] >', 'a&b'])}]]>`;
        else content += element(depth + 1, inner);
      }
      return `<${name}${declarations}${attrs}>${content}</${name}>`;
    };
    let xml = '';
    while (!targetPlaced) {
      targetPlaced = false;
      xml = element(0, new Map());
    }
    documents.push({ xml, prefixes: random(3) === 0 ? [pick(['a', 'b', 'c'])] : [] });
  }
  return documents;
}
