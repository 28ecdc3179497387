// A service's contract compiled from its WSDL (wsdl/<Service>.wsdl and the common.xsd it imports):
// per operation the request and response elements with a validator and a canonical writer each,
// the soapAction, the fault elements; per service the lookups a SOAP endpoint dispatches with.
// This is the one source of operation names ↔ elements ↔ soapActions for the gateway and, later,
// the core.
//
// The WSDL is read as strictly as its schema: document/literal only, one `parameters` part naming
// a global element per message, the same soapAction for an operation in every binding, request and
// response wrappers that are complex. Anything else fails compilation (ContractCompileError).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeCanonical } from './canonical-writer.ts';
import { SchemaCompiler } from './compile-schema.ts';
import type { ComplexValue, ElementDecl } from './schema.ts';
import {
  ContractCompileError, WSDL_NS, WSDL_SOAP11_NS, WSDL_SOAP12_NS, XSD_NS, childrenIn, readSchemaDocument,
  type QName, type SchemaDocument,
} from './schema-document.ts';
import { validateElement, type Validation } from './validate.ts';
import type { XmlElement } from './xml.ts';

export const WSDL_DIR = fileURLToPath(new URL('../../wsdl/', import.meta.url));

/** One message element: its validator and its canonical writer. */
export interface MessageContract {
  readonly namespace: string;
  readonly name: string;
  readonly decl: ElementDecl;
  validate(node: XmlElement): Validation;
  /** The canonical element text; throws ContractWriteError when the value does not fit. */
  write(value: ComplexValue): string;
}

export interface OperationContract {
  readonly name: string;
  /** The same in the SOAP 1.1 and 1.2 bindings (compilation refuses a WSDL where they differ). */
  readonly soapAction: string;
  readonly request: MessageContract;
  readonly response: MessageContract;
  /** By wsdl:fault name. */
  readonly faults: ReadonlyMap<string, MessageContract>;
}

export type SoapVersion = '1.1' | '1.2';

export interface ServiceContract {
  readonly service: string;
  readonly namespace: string;
  readonly soapVersions: readonly SoapVersion[];
  readonly operations: ReadonlyMap<string, OperationContract>;
  /** The operation whose request element `node` is (name and namespace), if any. */
  operationOfRequest(node: Pick<XmlElement, 'uri' | 'local'>): OperationContract | undefined;
  /** The operation whose response element `node` is, if any. */
  operationOfResponse(node: Pick<XmlElement, 'uri' | 'local'>): OperationContract | undefined;
  operationOfSoapAction(soapAction: string): OperationContract | undefined;
}

function messageContract(decl: ElementDecl, where: string): MessageContract {
  if (decl.type.kind !== 'complex') throw new ContractCompileError(where, `message element ${decl.name} must have a complex type`);
  return {
    namespace: decl.namespace, name: decl.name, decl,
    validate: (node) => validateElement(decl, node),
    write: (value) => writeCanonical(decl, value),
  };
}

/** Reads a `common.xsd`-style import next to the WSDL; only plain file names are followed. */
export type ImportReader = (schemaLocation: string) => string;

export function fileImports(dir: string): ImportReader {
  return (location) => {
    if (!/^[A-Za-z0-9._-]+\.xsd$/.test(location)) {
      throw new ContractCompileError(location, 'only a schemaLocation naming a file beside the WSDL is supported');
    }
    return readFileSync(`${dir}${location}`, 'utf8');
  };
}

function addSchemas(compiler: SchemaCompiler, wsdl: SchemaDocument, readImport: ImportReader): void {
  const imported = new Map<string, string>();
  const importSchema = (namespace: string, location: string): void => {
    const seen = imported.get(namespace);
    if (seen !== undefined) {
      if (seen !== location) throw new ContractCompileError(location, `namespace ${namespace} imported from two places`);
      return;
    }
    imported.set(namespace, location);
    const doc = readSchemaDocument(location, readImport(location));
    if (doc.root.uri !== XSD_NS || doc.root.local !== 'schema') throw new ContractCompileError(location, 'not an XML Schema');
    if ((doc.root.attrs.get('targetNamespace') ?? '') !== namespace) {
      throw new ContractCompileError(location, `targetNamespace is not the imported ${namespace}`);
    }
    compiler.addSchema(doc, doc.root, importSchema);
  };
  const types = childrenIn(wsdl.root, WSDL_NS, 'types');
  if (types.length !== 1) throw new ContractCompileError(wsdl.file, 'one wsdl:types expected');
  for (const schema of types[0]!.children) {
    if (schema.uri !== XSD_NS || schema.local !== 'schema') {
      if (schema.uri === WSDL_NS && schema.local === 'documentation') continue;
      throw new ContractCompileError(wsdl.file, `wsdl:types holds ${schema.local}`);
    }
    compiler.addSchema(wsdl, schema, importSchema);
  }
}

function byName(wsdl: SchemaDocument, local: string): Map<string, XmlElement> {
  return new Map(childrenIn(wsdl.root, WSDL_NS, local).map((n) => [n.attrs.get('name') ?? '', n]));
}

function messageElement(wsdl: SchemaDocument, messages: Map<string, XmlElement>, ref: QName | undefined, where: string): QName {
  const message = ref === undefined ? undefined : messages.get(ref.local);
  if (message === undefined) throw new ContractCompileError(where, 'message not found');
  const parts = childrenIn(message, WSDL_NS, 'part');
  const element = parts.length === 1 ? wsdl.qname(parts[0]!, 'element') : undefined;
  if (element === undefined || parts[0]!.attrs.has('type')) {
    throw new ContractCompileError(`${where}: message ${ref?.local}`, 'one part naming an element expected (document/literal)');
  }
  return element;
}

interface BindingInfo {
  readonly version: SoapVersion;
  readonly soapActions: ReadonlyMap<string, string>;
}

function bindingInfo(wsdl: SchemaDocument, binding: XmlElement): BindingInfo {
  const where = `${wsdl.file}: binding ${binding.attrs.get('name')}`;
  const soapNs = childrenIn(binding, WSDL_SOAP11_NS, 'binding').length === 1 ? WSDL_SOAP11_NS
    : childrenIn(binding, WSDL_SOAP12_NS, 'binding').length === 1 ? WSDL_SOAP12_NS : undefined;
  if (soapNs === undefined) throw new ContractCompileError(where, 'not a SOAP 1.1 or 1.2 binding');
  const style = childrenIn(binding, soapNs, 'binding')[0]!.attrs.get('style') ?? 'document';
  if (style !== 'document') throw new ContractCompileError(where, 'only style="document" is supported');
  const soapActions = new Map<string, string>();
  for (const operation of childrenIn(binding, WSDL_NS, 'operation')) {
    const name = operation.attrs.get('name') ?? '';
    const soapOperation = childrenIn(operation, soapNs, 'operation')[0];
    if ((soapOperation?.attrs.get('style') ?? 'document') !== 'document') throw new ContractCompileError(`${where}/${name}`, 'only document style');
    for (const direction of ['input', 'output']) {
      for (const body of childrenIn(operation, WSDL_NS, direction).flatMap((d) => d.children)) {
        if (body.local === 'header') throw new ContractCompileError(`${where}/${name}`, 'soap:header bindings are not supported');
        if (body.local === 'body' && body.attrs.get('use') !== 'literal') throw new ContractCompileError(`${where}/${name}`, 'only use="literal"');
      }
    }
    soapActions.set(name, soapOperation?.attrs.get('soapAction') ?? '');
  }
  return { version: soapNs === WSDL_SOAP11_NS ? '1.1' : '1.2', soapActions };
}

function soapActionOf(bindings: readonly BindingInfo[], operation: string, where: string): string {
  const actions = new Set(bindings.map((b) => b.soapActions.get(operation)));
  if (actions.size !== 1 || actions.has(undefined)) throw new ContractCompileError(where, 'the operation needs the same soapAction in every binding');
  return [...actions][0]!;
}

function compileOperations(wsdl: SchemaDocument, compiler: SchemaCompiler, bindings: readonly BindingInfo[]): Map<string, OperationContract> {
  const messages = byName(wsdl, 'message');
  const portTypes = childrenIn(wsdl.root, WSDL_NS, 'portType');
  if (portTypes.length !== 1) throw new ContractCompileError(wsdl.file, 'one portType expected');
  const operations = new Map<string, OperationContract>();
  for (const node of childrenIn(portTypes[0]!, WSDL_NS, 'operation')) {
    const name = node.attrs.get('name') ?? '';
    const where = `${wsdl.file}: operation ${name}`;
    const [input, output] = [childrenIn(node, WSDL_NS, 'input'), childrenIn(node, WSDL_NS, 'output')];
    if (input.length !== 1 || output.length !== 1) throw new ContractCompileError(where, 'one input and one output expected');
    const message = (n: XmlElement): MessageContract =>
      messageContract(compiler.globalElement(messageElement(wsdl, messages, wsdl.qname(n, 'message'), where), where), where);
    const faults = new Map(childrenIn(node, WSDL_NS, 'fault').map((f) => [f.attrs.get('name') ?? '', message(f)]));
    operations.set(name, {
      name, soapAction: soapActionOf(bindings, name, where), request: message(input[0]!), response: message(output[0]!), faults,
    });
  }
  return operations;
}

function lookups(operations: ReadonlyMap<string, OperationContract>) {
  const key = (uri: string, local: string): string => `{${uri}}${local}`;
  const requests = new Map([...operations.values()].map((op) => [key(op.request.namespace, op.request.name), op]));
  const responses = new Map([...operations.values()].map((op) => [key(op.response.namespace, op.response.name), op]));
  const actions = new Map([...operations.values()].map((op) => [op.soapAction, op]));
  if (requests.size !== operations.size || actions.size !== operations.size) {
    throw new ContractCompileError('operations', 'two operations share a request element or a soapAction');
  }
  return {
    operationOfRequest: (node: Pick<XmlElement, 'uri' | 'local'>) => requests.get(key(node.uri, node.local)),
    operationOfResponse: (node: Pick<XmlElement, 'uri' | 'local'>) => responses.get(key(node.uri, node.local)),
    operationOfSoapAction: (soapAction: string) => actions.get(soapAction),
  };
}

/** Compiles a WSDL given as text; `readImport` supplies the schemas it imports by location. */
export function compileServiceContract(file: string, wsdlText: string, readImport: ImportReader): ServiceContract {
  const wsdl = readSchemaDocument(file, wsdlText);
  if (wsdl.root.uri !== WSDL_NS || wsdl.root.local !== 'definitions') throw new ContractCompileError(file, 'not a WSDL 1.1 document');
  const compiler = new SchemaCompiler();
  addSchemas(compiler, wsdl, readImport);
  const bindings = childrenIn(wsdl.root, WSDL_NS, 'binding').map((b) => bindingInfo(wsdl, b));
  if (bindings.length === 0) throw new ContractCompileError(file, 'no binding');
  const operations = compileOperations(wsdl, compiler, bindings);
  return {
    service: wsdl.root.attrs.get('name') ?? file,
    namespace: wsdl.root.attrs.get('targetNamespace') ?? '',
    soapVersions: [...new Set(bindings.map((b) => b.version))].sort(),
    operations,
    ...lookups(operations),
  };
}

/** Compiles wsdl/<service>.wsdl (or one in `dir`), reading the files it imports from the same folder. */
export function loadServiceContract(service: string, dir = WSDL_DIR): ServiceContract {
  const folder = dir.endsWith('/') ? dir : `${dir}/`;
  return compileServiceContract(`${service}.wsdl`, readFileSync(`${folder}${service}.wsdl`, 'utf8'), fileImports(folder));
}
