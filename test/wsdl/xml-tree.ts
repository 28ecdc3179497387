// A small namespace-aware XML tree for the contract tests, built with saxes (a dependency
// already): enough to walk WSDL and XSD documents and resolve QName-valued attributes.

import { SaxesParser, type SaxesTagNS } from 'saxes';

export const NS = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap11: 'http://schemas.xmlsoap.org/wsdl/soap/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  types: 'urn:gridbill:types:v1',
} as const;

export interface QName {
  readonly uri: string;
  readonly local: string;
}

export interface XmlNode {
  readonly uri: string;
  readonly local: string;
  /** Attributes without a namespace, by local name. */
  readonly attrs: ReadonlyMap<string, string>;
  /** Prefix ('' for the default namespace) → namespace URI, in scope at this element. */
  readonly scope: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
  readonly parent: XmlNode | undefined;
  text: string;
}

/** Parses a whole document; throws on anything that is not well-formed namespace-valid XML. */
export function parseXml(source: string, name: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true, fileName: name });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const parent = stack[stack.length - 1];
    const scope: Record<string, string> = { ...(parent?.scope ?? {}) };
    const attrs = new Map<string, string>();
    for (const attr of Object.values(tag.attributes)) {
      if (attr.uri === NS.xmlns) scope[attr.prefix === '' ? '' : attr.local] = attr.value;
      else if (attr.uri === '') attrs.set(attr.local, attr.value);
    }
    const node: XmlNode = { uri: tag.uri, local: tag.local, attrs, scope, children: [], parent, text: '' };
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('text', (text) => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(source).close();
  if (failure) throw failure;
  if (!root) throw new Error(`${name}: no document element`);
  return root;
}

export function is(node: XmlNode, uri: string, local: string): boolean {
  return node.uri === uri && node.local === local;
}

export function childrenOf(node: XmlNode, uri: string, local: string): XmlNode[] {
  return node.children.filter((c) => is(c, uri, local));
}

export function childOf(node: XmlNode, uri: string, local: string): XmlNode | undefined {
  return childrenOf(node, uri, local)[0];
}

/** Every element below node (not node itself), depth first. */
export function descendants(node: XmlNode): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode): void => {
    for (const c of n.children) {
      out.push(c);
      walk(c);
    }
  };
  walk(node);
  return out;
}

export function attr(node: XmlNode, name: string): string | undefined {
  return node.attrs.get(name);
}

/** Resolves a QName-valued attribute (type="t:Money") against the element's namespace scope. */
export function resolveQName(node: XmlNode, value: string): QName {
  const colon = value.indexOf(':');
  const prefix = colon < 0 ? '' : value.slice(0, colon);
  const local = colon < 0 ? value : value.slice(colon + 1);
  const uri = node.scope[prefix];
  if (uri === undefined) throw new Error(`undeclared prefix in QName ${value}`);
  return { uri, local };
}

export function qnameAttr(node: XmlNode, name: string): QName | undefined {
  const value = attr(node, name);
  return value === undefined ? undefined : resolveQName(node, value);
}

export function sameQName(a: QName | undefined, b: QName): boolean {
  return a !== undefined && a.uri === b.uri && a.local === b.local;
}

/** A short path for messages: /definitions/types/schema/element[name=Pay]/… */
export function pathOf(node: XmlNode): string {
  const parts: string[] = [];
  for (let n: XmlNode | undefined = node; n; n = n.parent) {
    const name = attr(n, 'name');
    parts.unshift(name === undefined ? n.local : `${n.local}[${name}]`);
  }
  return `/${parts.join('/')}`;
}
