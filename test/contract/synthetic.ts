// A one-operation WSDL around a schema written in the test, for constructs and facets the real
// contracts do not (yet) use. The operation is `Op`: request element `Op`, response `OpResponse`;
// the test's schema declares both. `common.xsd` may be given to exercise imports.

import { compileServiceContract, type ServiceContract } from '../../src/contract/service-contract.ts';

export const TNS = 'urn:test:v1';
export const TYPES_NS = 'urn:test:types:v1';

export function wsdl(schema: string, extra: { schemaAttrs?: string; bindingStyle?: string; use?: string; action12?: string } = {}): string {
  const binding = (prefix: string, ns: string, action: string): string => `
  <wsdl:binding name="B${prefix}" type="tns:PT" xmlns:${prefix}="${ns}">
    <${prefix}:binding style="${extra.bindingStyle ?? 'document'}" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Op">
      <${prefix}:operation soapAction="${action}" style="document"/>
      <wsdl:input><${prefix}:body use="${extra.use ?? 'literal'}"/></wsdl:input>
      <wsdl:output><${prefix}:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="TestService" targetNamespace="${TNS}" xmlns:tns="${TNS}" xmlns:t="${TYPES_NS}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
    <xsd:schema targetNamespace="${TNS}" ${extra.schemaAttrs ?? 'elementFormDefault="qualified"'}>
      ${schema}
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="OpRequest"><wsdl:part name="parameters" element="tns:Op"/></wsdl:message>
  <wsdl:message name="OpResponse"><wsdl:part name="parameters" element="tns:OpResponse"/></wsdl:message>
  <wsdl:portType name="PT">
    <wsdl:operation name="Op"><wsdl:input message="tns:OpRequest"/><wsdl:output message="tns:OpResponse"/></wsdl:operation>
  </wsdl:portType>
  ${binding('soap', 'http://schemas.xmlsoap.org/wsdl/soap/', 'urn:test:v1#Op')}
  ${binding('soap12', 'http://schemas.xmlsoap.org/wsdl/soap12/', extra.action12 ?? 'urn:test:v1#Op')}
</wsdl:definitions>`;
}

export const EMPTY_RESPONSE = '<xsd:element name="OpResponse"><xsd:complexType><xsd:sequence/></xsd:complexType></xsd:element>';

/** A request `Op` with the given sequence content, and an empty response. */
export function withRequest(sequence: string, types = ''): string {
  return `${types}<xsd:element name="Op"><xsd:complexType><xsd:sequence>${sequence}</xsd:sequence></xsd:complexType></xsd:element>${EMPTY_RESPONSE}`;
}

export function compile(schema: string, imports: Readonly<Record<string, string>> = {}, extra = {}): ServiceContract {
  return compileServiceContract('Test.wsdl', wsdl(schema, extra), (location) => {
    const text = imports[location];
    if (text === undefined) throw new Error(`no ${location}`);
    return text;
  });
}

/** One request element `v` of the given simple type (declared inline). */
export function simpleField(restriction: string, occurs = ''): ServiceContract {
  return compile(withRequest(`<xsd:element name="v"${occurs}><xsd:simpleType>${restriction}</xsd:simpleType></xsd:element>`));
}
