// Reading a WSDL or XSD file into the element tree, with every QName-valued attribute (`type`,
// `base`, `ref`, `element`, `message`, `binding`) resolved against the prefixes in scope where
// it was written: the files are trusted, but their prefixes are arbitrary, so nothing is matched
// on a prefix.

import { parseXml, type XmlBounds, type XmlElement } from './xml.ts';

export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
export const WSDL_SOAP11_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
export const WSDL_SOAP12_NS = 'http://schemas.xmlsoap.org/wsdl/soap12/';

export interface QName {
  readonly uri: string;
  readonly local: string;
}

const QNAME_ATTRIBUTES = ['type', 'base', 'ref', 'element', 'message', 'binding'];

/** The contract files are ours and small; these bounds only stop a runaway file. */
const DOCUMENT_BOUNDS: XmlBounds = {
  depthMax: 64, elementsMax: 200_000, attributesPerElementMax: 64, nameCharsMax: 256, textCharsMax: 1_048_576,
};

/** A contract does not compile: a construct the compiler does not support, or a broken reference. */
export class ContractCompileError extends Error {
  constructor(where: string, reason: string) {
    super(`${where}: ${reason}`);
    this.name = 'ContractCompileError';
  }
}

export interface SchemaDocument {
  readonly file: string;
  readonly root: XmlElement;
  /** The QName attribute `name` of `node`, resolved; throws when the prefix is not declared. */
  qname(node: XmlElement, name: string): QName | undefined;
}

export function readSchemaDocument(file: string, text: string): SchemaDocument {
  const resolved = new WeakMap<XmlElement, Map<string, QName | string>>();
  const root = parseXml(text, {
    bounds: DOCUMENT_BOUNDS,
    onScope: (node, resolve) => {
      for (const attribute of QNAME_ATTRIBUTES) {
        const value = node.attrs.get(attribute);
        if (value === undefined) continue;
        const colon = value.indexOf(':');
        const prefix = colon < 0 ? '' : value.slice(0, colon);
        const uri = resolve(prefix);
        const entry = uri === undefined && prefix !== '' ? `prefix ${prefix} is not declared` : { uri: uri ?? '', local: value.slice(colon + 1) };
        let map = resolved.get(node);
        if (map === undefined) resolved.set(node, map = new Map());
        map.set(attribute, entry);
      }
    },
  });
  return {
    file,
    root,
    qname(node, name) {
      const entry = resolved.get(node)?.get(name);
      if (typeof entry === 'string') throw new ContractCompileError(`${file}: ${describe(node)}`, entry);
      return entry;
    },
  };
}

/** `xsd:element[name=Pay]` — how a schema node is named in compile errors. */
export function describe(node: XmlElement): string {
  const name = node.attrs.get('name') ?? node.attrs.get('ref');
  return name === undefined ? node.local : `${node.local}[${name}]`;
}

export function childrenIn(node: XmlElement, uri: string, local?: string): XmlElement[] {
  return node.children.filter((c) => c.uri === uri && (local === undefined || c.local === local));
}
