import { expect } from 'chai';
import { ContractCompileError } from '../../src/contract/schema-document.ts';
import { parseXml } from '../../src/contract/xml.ts';
import { EMPTY_RESPONSE, TNS, TYPES_NS, compile, withRequest } from './synthetic.ts';

const field = (attrs: string, inner = '') => withRequest(`<xsd:element name="v" ${attrs}>${inner}</xsd:element>`);
const restriction = (base: string, facets: string) => field('', `<xsd:simpleType><xsd:restriction base="${base}">${facets}</xsd:restriction></xsd:simpleType>`);

/** Each construct the compiler does not support, and the words its refusal must contain. */
const REFUSED: ReadonlyArray<readonly [what: string, schema: string, reason: RegExp]> = [
  ['xsd:choice', withRequest('').replace('<xsd:sequence></xsd:sequence>', '<xsd:choice><xsd:element name="a" type="xsd:int"/></xsd:choice>'), /xsd:choice is not supported/],
  ['xsd:all', withRequest('').replace('<xsd:sequence></xsd:sequence>', '<xsd:all><xsd:element name="a" type="xsd:int"/></xsd:all>'), /xsd:all is not supported/],
  ['a nested choice', withRequest('<xsd:choice><xsd:element name="a" type="xsd:int"/></xsd:choice>'), /xsd:choice is not supported/],
  ['xsd:any', withRequest('<xsd:any/>'), /xsd:any is not supported/],
  ['xsd:group', withRequest('<xsd:group ref="tns:G"/>'), /xsd:group is not supported/],
  ['an attribute', withRequest('').replace('</xsd:sequence>', '</xsd:sequence><xsd:attribute name="a" type="xsd:int"/>'), /xsd:attribute is not supported/],
  ['anyAttribute', withRequest('').replace('</xsd:sequence>', '</xsd:sequence><xsd:anyAttribute/>'), /xsd:anyAttribute is not supported/],
  ['mixed content', withRequest('').replace('<xsd:complexType>', '<xsd:complexType mixed="true">'), /mixed content/],
  ['simpleContent', withRequest('').replace('<xsd:sequence></xsd:sequence>', '<xsd:simpleContent><xsd:extension base="xsd:int"/></xsd:simpleContent>'), /simpleContent is not supported/],
  ['unbounded maxOccurs', field('type="xsd:int" maxOccurs="unbounded"'), /maxOccurs must be finite/],
  ['maxOccurs below minOccurs', field('type="xsd:int" minOccurs="2" maxOccurs="1"'), /maxOccurs is below minOccurs/],
  ['nillable', field('type="xsd:int" nillable="true"'), /nillable="true" is not supported/],
  ['a default value', field('type="xsd:int" default="1"'), /attribute default is not supported/],
  ['a fixed value', field('type="xsd:int" fixed="1"'), /attribute fixed is not supported/],
  ['form', field('type="xsd:int" form="unqualified"'), /attribute form is not supported/],
  ['an element without a type', field(''), /exactly one of a type attribute or an inline type/],
  ['an unsupported built-in', field('type="xsd:float"'), /xsd:float is not supported/],
  ['anyType', field('type="xsd:anyType"'), /xsd:anyType is not supported/],
  ['an unknown type', field('type="tns:Nope"'), /no type/],
  ['an undeclared prefix', field('type="zz:Nope"'), /prefix zz is not declared/],
  ['xsd:list', field('', '<xsd:simpleType><xsd:list itemType="xsd:int"/></xsd:simpleType>'), /xsd:list is not supported/],
  ['xsd:union', field('', '<xsd:simpleType><xsd:union memberTypes="xsd:int"/></xsd:simpleType>'), /xsd:union is not supported/],
  ['a length facet on a decimal', restriction('xsd:decimal', '<xsd:maxLength value="3"/>'), /facet maxLength is not supported on decimal/],
  ['digits on a string', restriction('xsd:string', '<xsd:totalDigits value="3"/>'), /facet totalDigits is not supported on string/],
  ['a range on a date', restriction('xsd:date', '<xsd:minInclusive value="2026-01-01"/>'), /facet minInclusive is not supported on date/],
  ['an unknown facet', restriction('xsd:string', '<xsd:assertion test="true()"/>'), /facet assertion is not supported/],
  ['a bound that is not a number', restriction('xsd:int', '<xsd:minInclusive value="one"/>'), /minInclusive value is not a int/],
  ['an enumeration value outside the base', restriction('xsd:int', '<xsd:enumeration value="x"/>'), /enumeration value is not a int/],
  ['relaxed whitespace', restriction('xsd:decimal', '<xsd:whiteSpace value="preserve"/>'), /whiteSpace cannot be relaxed/],
  ['class subtraction', restriction('xsd:string', '<xsd:pattern value="[a-z-[aeiou]]"/>'), /class subtraction is not supported/],
  ['a block escape', restriction('xsd:string', '<xsd:pattern value="\\p{IsBasicLatin}+"/>'), /block escapes are not/],
  ['a complex base of a simple type', `<xsd:complexType name="C"><xsd:sequence/></xsd:complexType>${restriction('tns:C', '')}`,
    /a simple type must restrict a simple type/],
  ['a type derived from itself', `<xsd:simpleType name="S"><xsd:restriction base="tns:S"/></xsd:simpleType>${field('type="tns:S"')}`, /derived from itself/],
  ['an element twice in a sequence', withRequest('<xsd:element name="a" type="xsd:int"/><xsd:element name="a" type="xsd:int"/>'), /appears twice/],
  ['a sequence that repeats', withRequest('').replace('<xsd:sequence>', '<xsd:sequence maxOccurs="2">'), /maxOccurs on a sequence is not supported/],
  ['xsd:include', `<xsd:include schemaLocation="x.xsd"/>${withRequest('')}`, /xsd:include is not supported/],
  ['a global declaration twice', `${withRequest('')}${EMPTY_RESPONSE}`, /declared twice/],
  ['a simple message element', '<xsd:element name="Op" type="xsd:int"/>' + EMPTY_RESPONSE, /must have a complex type/],
  ['a missing message element', EMPTY_RESPONSE, /no global element \{urn:test:v1\}Op/],
];

describe('contract compilation', () => {
  it('compiles a schema of the supported constructs', () => {
    const common = `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="${TYPES_NS}" elementFormDefault="qualified">
      <xsd:simpleType name="Code"><xsd:restriction base="xsd:string"><xsd:maxLength value="4"/></xsd:restriction></xsd:simpleType>
      <xsd:element name="Note"><xsd:complexType><xsd:sequence><xsd:element name="text" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>`;
    const schema = `<xsd:import namespace="${TYPES_NS}" schemaLocation="common.xsd"/>
      <xsd:complexType name="Base"><xsd:sequence><xsd:element name="code" type="t:Code"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="Derived"><xsd:complexContent><xsd:extension base="tns:Base"><xsd:sequence>
        <xsd:element ref="t:Note" minOccurs="0"/><xsd:element name="child" type="tns:Derived" minOccurs="0"/>
      </xsd:sequence></xsd:extension></xsd:complexContent></xsd:complexType>
      <xsd:element name="Op" type="tns:Derived"/>${EMPTY_RESPONSE}`;
    const op = compile(schema, { 'common.xsd': common }).operations.get('Op')!;
    const doc = `<Op xmlns="${TNS}"><code>AB</code><Note xmlns="${TYPES_NS}"><text> x </text></Note>`
      + `<child><code>CD</code></child></Op>`;
    const result = op.request.validate(parseXml(doc));
    expect(result.ok, JSON.stringify(result)).to.equal(true);
    if (!result.ok) return;
    expect(op.request.write(result.value)).to.equal(doc);
    const wrongNs = doc.replace(`<Note xmlns="${TYPES_NS}">`, '<Note>');
    expect(op.request.validate(parseXml(wrongNs)).ok).to.equal(false);
    expect(op.response.validate(parseXml(`<OpResponse xmlns="${TNS}"/>`)).ok).to.equal(true);
  });

  for (const [what, schema, reason] of REFUSED) {
    it(`refuses ${what}`, () => {
      expect(() => compile(schema)).to.throw(ContractCompileError, reason);
    });
  }

  it('refuses what a document/literal contract cannot be', () => {
    const ok = withRequest('');
    expect(() => compile(ok, {}, { bindingStyle: 'rpc' })).to.throw(ContractCompileError, /only style="document"/);
    expect(() => compile(ok, {}, { use: 'encoded' })).to.throw(ContractCompileError, /only use="literal"/);
    expect(() => compile(ok, {}, { action12: 'urn:other' })).to.throw(ContractCompileError, /same soapAction in every binding/);
    expect(() => compile(ok, {}, { schemaAttrs: '' })).to.throw(ContractCompileError, /elementFormDefault must be "qualified"/);
    expect(() => compile(ok, {}, { schemaAttrs: 'elementFormDefault="qualified" blockDefault="#all"' }))
      .to.throw(ContractCompileError, /attribute blockDefault is not supported/);
  });

  it('follows only imports naming a file beside the WSDL, in the namespace they claim', () => {
    const schema = `<xsd:import namespace="${TYPES_NS}" schemaLocation="common.xsd"/>${withRequest('')}`;
    const other = `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:else" elementFormDefault="qualified"/>`;
    expect(() => compile(schema, { 'common.xsd': other })).to.throw(ContractCompileError, /targetNamespace is not the imported/);
  });
});
