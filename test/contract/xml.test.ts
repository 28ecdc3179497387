import { expect } from 'chai';
import { XML_BOUNDS, XmlRejected, decodeUtf8, escapeXml, isXmlText, parseXml } from '../../src/contract/xml.ts';

function rejected(source: string | Uint8Array, reason: RegExp): void {
  expect(() => parseXml(source)).to.throw(XmlRejected, reason);
}

describe('contract XML reader', () => {
  it('builds a namespace-aware tree with attributes by {uri}local and namespace declarations left out', () => {
    const root = parseXml('<a:r xmlns:a="urn:a" xmlns:x="urn:x" x:k="1" plain="2"><a:c>t</a:c> <c/></a:r>');
    expect(root.uri).to.equal('urn:a');
    expect(root.local).to.equal('r');
    expect([...root.attrs]).to.deep.equal([['{urn:x}k', '1'], ['plain', '2']]);
    expect(root.children.map((c) => [c.uri, c.local, c.text])).to.deep.equal([['urn:a', 'c', 't'], ['', 'c', '']]);
    expect(root.text).to.equal(' ');
  });

  it('drops comments and reads CDATA as text', () => {
    expect(parseXml('<r>1<!-- x -->9<![CDATA[.5<>]]></r>').text).to.equal('19.5<>');
  });

  it('refuses DOCTYPEs, so no entity is ever declared or expanded', () => {
    rejected('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', /DOCTYPE is not allowed/);
    rejected('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', /DOCTYPE is not allowed/);
    rejected('<!DOCTYPE r><r/>', /DOCTYPE is not allowed/);
    rejected('<r>&x;</r>', /not well-formed/);
  });

  it('refuses processing instructions but not the XML declaration', () => {
    rejected('<r><?php echo 1; ?></r>', /processing instructions are not allowed/);
    rejected('<?xml-stylesheet href="x"?><r/>', /processing instructions are not allowed/);
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?><r/>').local).to.equal('r');
  });

  it('refuses malformed UTF-8 and documents that are not well-formed', () => {
    rejected(new Uint8Array([0x3c, 0x72, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x72, 0x3e]), /malformed UTF-8/);
    expect(() => decodeUtf8(new Uint8Array([0xff]))).to.throw(XmlRejected);
    expect(parseXml(new TextEncoder().encode('<r>张</r>')).text).to.equal('张');
    for (const bad of ['<r>', '<r></s>', '<r/><r/>', '', 'text', '<r a="1" a="2"/>', '<p:r/>', '<r>\u0001</r>']) {
      rejected(bad, /not well-formed|no document element/);
    }
  });

  it('bounds depth, element count, attributes, name length and text length', () => {
    const deep = (n: number) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    expect(() => parseXml(deep(XML_BOUNDS.depthMax))).to.not.throw();
    rejected(deep(XML_BOUNDS.depthMax + 1), /nested too deeply/);
    rejected(`<r>${'<a/>'.repeat(XML_BOUNDS.elementsMax)}</r>`, /too many elements/);
    const attrs = (n: number) => `<r ${Array.from({ length: n }, (_, i) => `a${i}="1"`).join(' ')}/>`;
    expect(() => parseXml(attrs(XML_BOUNDS.attributesPerElementMax))).to.not.throw();
    rejected(attrs(XML_BOUNDS.attributesPerElementMax + 1), /too many attributes/);
    rejected(`<${'n'.repeat(XML_BOUNDS.nameCharsMax + 1)}/>`, /element name too long/);
    rejected(`<r ${'n'.repeat(XML_BOUNDS.nameCharsMax + 1)}="1"/>`, /attribute name too long/);
    rejected(`<r>${'x'.repeat(XML_BOUNDS.textCharsMax + 1)}</r>`, /text too long/);
    rejected(`<r a="${'x'.repeat(XML_BOUNDS.textCharsMax + 1)}"/>`, /attribute value too long/);
    expect(parseXml(`<r>${'x'.repeat(XML_BOUNDS.textCharsMax)}</r>`).text).to.have.length(XML_BOUNDS.textCharsMax);
  });

  it('lets one element carry a longer text when the caller names it', () => {
    const long = 'x'.repeat(XML_BOUNDS.textCharsMax + 10);
    const root = parseXml(`<r><doc>${long}</doc></r>`, { wider: (node) => (node.local === 'doc' ? long.length : undefined) });
    expect(root.children[0]!.text).to.equal(long);
  });

  it('escapes text so that reading it back gives the same characters', () => {
    const value = 'a&b<c>d"e\'f\r\ng\th';
    expect(parseXml(`<r a="${escapeXml(value)}">${escapeXml(value)}</r>`).text).to.equal(value);
    expect(parseXml(`<r a="${escapeXml(value)}"/>`).attrs.get('a')).to.equal('a&b<c>d"e\'f\r g h'); // attribute values normalise tab and line feed
    expect(isXmlText('ok 张 𠮷\t\n')).to.equal(true);
    expect(isXmlText('\u0000')).to.equal(false);
    expect(isXmlText('\uD800')).to.equal(false);
    expect(isXmlText('\uFFFE')).to.equal(false);
  });
});
