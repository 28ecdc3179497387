// Compiling the XSD of a contract (a WSDL's embedded schema and the schemas it imports) into the
// model of schema.ts. Only the constructs our contracts use are known; every other construct,
// attribute or facet is refused here with the place it was found, so a change to a WSDL can never
// make the gateway accept more than the schema says without anyone noticing.
//
// Supported: global and local elements (name/type, inline simple or complex type, ref to a global
// element, minOccurs, finite maxOccurs, nillable="false"); complex types with one sequence of
// elements, empty content, or complexContent/extension of another such type; simple types by
// restriction of a supported built-in or of another simple type, with the facets of simple-types.ts.
// Refused among others: choice, all, group, any, attributes, mixed content, simpleContent, list,
// union, default/fixed values, substitution groups, nillable="true", unbounded maxOccurs, include
// and redefine, and facets that do not apply to the built-in they restrict.

import { parseDecimal } from './decimal.ts';
import type { ComplexType, ElementDecl, FacetStep, SimpleType, WhiteSpace } from './schema.ts';
import {
  ContractCompileError, XSD_NS, describe, type QName, type SchemaDocument,
} from './schema-document.ts';
import { BUILTINS, checkLexical, isBuiltin, normalizeWhiteSpace } from './simple-types.ts';
import { compileXsdRegex } from './xsd-regex.ts';
import type { XmlElement } from './xml.ts';

interface Located {
  readonly doc: SchemaDocument;
  readonly node: XmlElement;
  readonly namespace: string;
}

const key = (q: QName): string => `{${q.uri}}${q.local}`;

const FACETS_BY_PRIMITIVE: Readonly<Record<string, readonly string[]>> = {
  string: ['length', 'minLength', 'maxLength', 'pattern', 'enumeration', 'whiteSpace'],
  base64Binary: ['length', 'minLength', 'maxLength', 'pattern', 'enumeration', 'whiteSpace'],
  decimal: ['totalDigits', 'fractionDigits', 'pattern', 'enumeration', 'whiteSpace', 'minInclusive', 'maxInclusive',
    'minExclusive', 'maxExclusive'],
  boolean: ['pattern', 'whiteSpace'],
  date: ['pattern', 'enumeration', 'whiteSpace'],
  dateTime: ['pattern', 'enumeration', 'whiteSpace'],
};

export class SchemaCompiler {
  private readonly elements = new Map<string, Located>();
  private readonly complexTypes = new Map<string, Located>();
  private readonly simpleTypes = new Map<string, Located>();
  private readonly compiledElements = new Map<string, ElementDecl>();
  private readonly compiledTypes = new Map<string, SimpleType | ComplexType>();
  private readonly inProgress = new Set<string>();

  /** Registers a schema element (`xsd:schema`) and its global declarations. */
  addSchema(doc: SchemaDocument, schema: XmlElement, importSchema: (namespace: string, location: string) => void): void {
    const where = `${doc.file}: schema`;
    only(where, schema, ['targetNamespace', 'elementFormDefault', 'attributeFormDefault', 'version', 'id']);
    if (schema.attrs.get('elementFormDefault') !== 'qualified') {
      throw new ContractCompileError(where, 'elementFormDefault must be "qualified"');
    }
    const namespace = schema.attrs.get('targetNamespace') ?? '';
    for (const child of schema.children) {
      const table = this.tableFor(doc, child);
      if (table === 'skip') continue;
      if (table === 'import') {
        only(`${where}/import`, child, ['namespace', 'schemaLocation', 'id']);
        importSchema(child.attrs.get('namespace') ?? '', child.attrs.get('schemaLocation') ?? '');
        continue;
      }
      const name = child.attrs.get('name');
      if (name === undefined) throw new ContractCompileError(`${where}/${child.local}`, 'a global declaration needs a name');
      const k = key({ uri: namespace, local: name });
      if (table.has(k)) throw new ContractCompileError(`${where}/${describe(child)}`, 'declared twice');
      table.set(k, { doc, node: child, namespace });
    }
  }

  private tableFor(doc: SchemaDocument, child: XmlElement): Map<string, Located> | 'skip' | 'import' {
    if (child.uri !== XSD_NS) throw new ContractCompileError(`${doc.file}: schema`, `foreign element ${child.local}`);
    switch (child.local) {
      case 'annotation': return 'skip';
      case 'import': return 'import';
      case 'element': return this.elements;
      case 'complexType': return this.complexTypes;
      case 'simpleType': return this.simpleTypes;
      default: throw new ContractCompileError(`${doc.file}: schema`, `xsd:${child.local} is not supported`);
    }
  }

  /** A global element, compiled (with everything it uses) on first use. */
  globalElement(name: QName, where = 'reference'): ElementDecl {
    const k = key(name);
    const cached = this.compiledElements.get(k);
    if (cached) return cached;
    const located = this.elements.get(k);
    if (!located) throw new ContractCompileError(where, `no global element ${k}`);
    const decl = this.elementDecl(located, true);
    this.compiledElements.set(k, decl);
    return decl;
  }

  private elementDecl(at: Located, global: boolean): ElementDecl {
    const { doc, node } = at;
    const where = `${doc.file}: ${describe(node)}`;
    only(where, node, global ? ['name', 'type', 'nillable', 'id'] : ['name', 'type', 'ref', 'minOccurs', 'maxOccurs', 'nillable', 'id']);
    if ((node.attrs.get('nillable') ?? 'false') !== 'false') throw new ContractCompileError(where, 'nillable="true" is not supported');
    const { minOccurs, maxOccurs } = occurs(where, node);
    const ref = doc.qname(node, 'ref');
    if (ref !== undefined) {
      if (node.attrs.has('name') || node.attrs.has('type') || node.children.some((c) => c.local !== 'annotation')) {
        throw new ContractCompileError(where, 'an element ref has no name, type or content of its own');
      }
      return { ...this.globalElement(ref, where), minOccurs, maxOccurs };
    }
    const name = node.attrs.get('name');
    if (name === undefined) throw new ContractCompileError(where, 'an element needs a name or a ref');
    return { namespace: at.namespace, name, type: this.elementType(at, where), minOccurs, maxOccurs };
  }

  private elementType(at: Located, where: string): SimpleType | ComplexType {
    const inline = contentChildren(where, at.node, ['simpleType', 'complexType']);
    const typeName = at.doc.qname(at.node, 'type');
    if (typeName !== undefined && inline.length === 0) return this.namedType(typeName, where);
    if (typeName === undefined && inline.length === 1) {
      const child = inline[0]!;
      const located = { ...at, node: child };
      return child.local === 'simpleType' ? this.simpleType(located, 'anonymous') : this.complexType(located, 'anonymous');
    }
    throw new ContractCompileError(where, 'an element needs exactly one of a type attribute or an inline type');
  }

  private namedType(name: QName, where: string): SimpleType | ComplexType {
    const k = key(name);
    const cached = this.compiledTypes.get(k);
    if (cached) return cached;
    if (name.uri === XSD_NS) {
      if (!isBuiltin(name.local)) throw new ContractCompileError(where, `built-in type xsd:${name.local} is not supported`);
      const spec = BUILTINS[name.local];
      const builtin: SimpleType = {
        kind: 'simple', name: name.local, builtin: name.local, primitive: spec.primitive,
        whiteSpace: spec.primitive === 'string' ? 'preserve' : 'collapse', steps: [],
      };
      this.compiledTypes.set(k, builtin);
      return builtin;
    }
    const simple = this.simpleTypes.get(k);
    const complex = this.complexTypes.get(k);
    if (!simple && !complex) throw new ContractCompileError(where, `no type ${k}`);
    if (this.inProgress.has(k)) {
      throw new ContractCompileError(where, `type ${name.local} is derived from itself`);
    }
    this.inProgress.add(k);
    try {
      const compiled = simple ? this.simpleType(simple, name.local) : this.complexType(complex!, name.local, k);
      this.compiledTypes.set(k, compiled);
      return compiled;
    } finally {
      this.inProgress.delete(k);
    }
  }

  private complexType(at: Located, name: string, cacheKey?: string): ComplexType {
    const where = `${at.doc.file}: complexType[${name}]`;
    only(where, at.node, ['name', 'mixed', 'id']);
    if ((at.node.attrs.get('mixed') ?? 'false') !== 'false') throw new ContractCompileError(where, 'mixed content is not supported');
    const particles: ElementDecl[] = [];
    const type: ComplexType = { kind: 'complex', name, particles };
    // registered before its particles, so a type may contain itself (the depth limit bounds it)
    if (cacheKey !== undefined) {
      this.compiledTypes.set(cacheKey, type);
      this.inProgress.delete(cacheKey);
    }
    const content = contentChildren(where, at.node, ['sequence', 'complexContent']);
    if (content.length > 1) throw new ContractCompileError(where, 'one sequence or complexContent expected');
    const [body] = content;
    if (body?.local === 'sequence') particles.push(...this.sequence({ ...at, node: body }, where));
    if (body?.local === 'complexContent') particles.push(...this.extension({ ...at, node: body }, where));
    const seen = new Set<string>();
    for (const p of particles) {
      const k = key({ uri: p.namespace, local: p.name });
      if (seen.has(k)) throw new ContractCompileError(where, `element ${p.name} appears twice in the sequence`);
      seen.add(k);
    }
    Object.freeze(particles);
    return type;
  }

  private sequence(at: Located, where: string): ElementDecl[] {
    only(`${where}/sequence`, at.node, ['minOccurs', 'maxOccurs', 'id']);
    for (const attribute of ['minOccurs', 'maxOccurs']) {
      if ((at.node.attrs.get(attribute) ?? '1') !== '1') throw new ContractCompileError(`${where}/sequence`, `${attribute} on a sequence is not supported`);
    }
    return contentChildren(`${where}/sequence`, at.node, ['element']).map((node) => this.elementDecl({ ...at, node }, false));
  }

  private extension(at: Located, where: string): ElementDecl[] {
    only(`${where}/complexContent`, at.node, ['mixed', 'id']);
    if ((at.node.attrs.get('mixed') ?? 'false') !== 'false') throw new ContractCompileError(where, 'mixed content is not supported');
    const [extension, ...rest] = contentChildren(`${where}/complexContent`, at.node, ['extension']);
    if (!extension || rest.length > 0) throw new ContractCompileError(`${where}/complexContent`, 'one extension expected');
    only(`${where}/extension`, extension, ['base', 'id']);
    const base = this.namedType(at.doc.qname(extension, 'base') ?? { uri: '', local: '' }, `${where}/extension`);
    if (base.kind !== 'complex') throw new ContractCompileError(`${where}/extension`, 'the base of a complexContent extension must be a complex type');
    const own = contentChildren(`${where}/extension`, extension, ['sequence']);
    if (own.length > 1) throw new ContractCompileError(`${where}/extension`, 'one sequence expected');
    return [...base.particles, ...own.flatMap((node) => this.sequence({ ...at, node }, where))];
  }

  private simpleType(at: Located, name: string): SimpleType {
    const where = `${at.doc.file}: simpleType[${name}]`;
    only(where, at.node, ['name', 'id']);
    const [restriction, ...rest] = contentChildren(where, at.node, ['restriction']);
    if (!restriction || rest.length > 0) throw new ContractCompileError(where, 'one restriction expected (list and union are not supported)');
    only(`${where}/restriction`, restriction, ['base', 'id']);
    const baseName = at.doc.qname(restriction, 'base');
    const inlineBase = restriction.children.filter((c) => c.uri === XSD_NS && c.local === 'simpleType');
    let base: SimpleType | ComplexType;
    if (baseName !== undefined && inlineBase.length === 0) base = this.namedType(baseName, where);
    else if (baseName === undefined && inlineBase.length === 1) base = this.simpleType({ ...at, node: inlineBase[0]! }, 'anonymous');
    else throw new ContractCompileError(where, 'a restriction needs exactly one of a base attribute or an inline simpleType');
    if (base.kind !== 'simple') throw new ContractCompileError(where, 'a simple type must restrict a simple type');
    const facets = restriction.children.filter((c) => !(c.uri === XSD_NS && (c.local === 'annotation' || c.local === 'simpleType')));
    const { step, whiteSpace } = compileFacets(where, base, facets);
    return { ...base, name, whiteSpace: whiteSpace ?? base.whiteSpace, steps: [...base.steps, step] };
  }
}

/** Refuses attributes other than `allowed` (namespace declarations never reach the tree). */
function only(where: string, node: XmlElement, allowed: readonly string[]): void {
  for (const name of node.attrs.keys()) {
    if (!allowed.includes(name)) throw new ContractCompileError(where, `attribute ${name} is not supported on xsd:${node.local}`);
  }
}

/** The XSD children other than annotations; refuses any not in `allowed`. */
function contentChildren(where: string, node: XmlElement, allowed: readonly string[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of node.children) {
    if (child.uri !== XSD_NS) throw new ContractCompileError(where, `foreign element ${child.local}`);
    if (child.local === 'annotation') continue;
    if (!allowed.includes(child.local)) throw new ContractCompileError(where, `xsd:${child.local} is not supported here`);
    out.push(child);
  }
  return out;
}

function nonNegativeInteger(where: string, name: string, value: string): number {
  if (!/^[0-9]{1,9}$/.test(value)) throw new ContractCompileError(where, `${name} must be a non-negative integer`);
  return Number(value);
}

function occurs(where: string, node: XmlElement): { minOccurs: number; maxOccurs: number } {
  const minOccurs = nonNegativeInteger(where, 'minOccurs', node.attrs.get('minOccurs') ?? '1');
  const max = node.attrs.get('maxOccurs') ?? '1';
  if (max === 'unbounded') throw new ContractCompileError(where, 'maxOccurs must be finite (wsdl/README.md)');
  const maxOccurs = nonNegativeInteger(where, 'maxOccurs', max);
  if (maxOccurs < minOccurs) throw new ContractCompileError(where, 'maxOccurs is below minOccurs');
  return { minOccurs, maxOccurs };
}

interface MutableStep {
  patterns: RegExp[];
  patternSources: string[];
  enumeration?: string[];
  bounds: Record<string, string>;
  [facet: string]: unknown;
}

function compileFacets(where: string, base: SimpleType, facets: readonly XmlElement[]): { step: FacetStep; whiteSpace?: WhiteSpace } {
  const step: MutableStep = { patterns: [], patternSources: [], bounds: {} };
  let whiteSpace: WhiteSpace | undefined;
  for (const facet of facets) {
    const at = `${where}/${facet.local}`;
    if (facet.uri !== XSD_NS || !FACETS_BY_PRIMITIVE[base.primitive]!.includes(facet.local)) {
      throw new ContractCompileError(at, `facet ${facet.local} is not supported on ${base.builtin}`);
    }
    only(at, facet, ['value', 'fixed', 'id']);
    contentChildren(at, facet, []);
    const value = facet.attrs.get('value');
    if (value === undefined) throw new ContractCompileError(at, 'a facet needs a value');
    if (facet.local === 'whiteSpace') whiteSpace = whiteSpaceFacet(at, base, value);
    else addFacet(at, base, step, facet.local, value);
  }
  return { step: step as unknown as FacetStep, whiteSpace };
}

function whiteSpaceFacet(where: string, base: SimpleType, value: string): WhiteSpace {
  if (value !== 'preserve' && value !== 'replace' && value !== 'collapse') throw new ContractCompileError(where, 'unknown whiteSpace');
  const order = ['preserve', 'replace', 'collapse'];
  if (order.indexOf(value) < order.indexOf(base.whiteSpace)) throw new ContractCompileError(where, `whiteSpace cannot be relaxed from ${base.whiteSpace}`);
  return value;
}

function addFacet(where: string, base: SimpleType, step: MutableStep, facet: string, value: string): void {
  switch (facet) {
    case 'pattern':
      try {
        step.patterns.push(compileXsdRegex(value));
      } catch (error) {
        throw new ContractCompileError(where, (error as Error).message);
      }
      step.patternSources.push(value);
      return;
    case 'enumeration': {
      const normalized = normalizeWhiteSpace(value, base.whiteSpace);
      if (checkLexical(normalized, base.builtin).reason) throw new ContractCompileError(where, `enumeration value is not a ${base.builtin}`);
      (step.enumeration ??= []).push(normalized);
      return;
    }
    case 'length': case 'minLength': case 'maxLength': case 'totalDigits': case 'fractionDigits':
      if (step[facet] !== undefined) throw new ContractCompileError(where, `${facet} given twice`);
      step[facet] = nonNegativeInteger(where, facet, value);
      if (facet === 'totalDigits' && value === '0') throw new ContractCompileError(where, 'totalDigits must be positive');
      return;
    default: {
      const normalized = normalizeWhiteSpace(value, 'collapse');
      const lexical = checkLexical(normalized, base.builtin);
      if (lexical.reason || !lexical.decimal) throw new ContractCompileError(where, `${facet} value is not a ${base.builtin}`);
      if (step[facet] !== undefined) throw new ContractCompileError(where, `${facet} given twice`);
      step[facet] = parseDecimal(normalized);
      step.bounds[facet] = normalized;
    }
  }
}
