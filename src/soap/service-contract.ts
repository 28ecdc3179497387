// A served service's contract as the server needs it, read from wsdl/<Service>.wsdl with the
// `soap` package's WSDL model: the target namespace, the port type, per operation its request
// element, its soapAction in each binding and the shape of its request (which children exist, in
// which order, which repeat). Ports read requests through `readArgs`, which holds them to that
// shape: an element in another namespace, an unknown, duplicated or misplaced element is a Client
// fault, and every value stays the string that was sent (money is never a JavaScript number).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WSDL } from 'soap';
import { GridbillError } from '../errors.ts';
import type { XmlElement } from './soap-xml.ts';

export const WSDL_DIR = fileURLToPath(new URL('../../wsdl/', import.meta.url));

export interface FieldSpec {
  readonly name: string;
  readonly repeated: boolean;
  /** Children of a complex element; null for a simple value. */
  readonly children: FieldSpecs | null;
}

/** Fields by name, in schema order (Map iteration order is the declaration order). */
export type FieldSpecs = ReadonlyMap<string, FieldSpec & { readonly index: number }>;

export interface OperationContract {
  readonly name: string;
  readonly requestElement: string;
  readonly responseElement: string;
  /** soapAction of the operation in the SOAP 1.1 and 1.2 bindings (the same in our WSDLs). */
  readonly soapActions: ReadonlySet<string>;
  readonly request: FieldSpecs;
}

export interface ServiceContract {
  readonly service: string;
  readonly namespace: string;
  readonly portType: string;
  /** By request element local name: dispatch is on the body's element. */
  readonly byRequestElement: ReadonlyMap<string, OperationContract>;
  readonly operations: ReadonlyMap<string, OperationContract>;
}

const META_KEYS = new Set(['targetNSAlias', 'targetNamespace']);

function fieldSpecs(description: Record<string, unknown>): FieldSpecs {
  const out = new Map<string, FieldSpec & { index: number }>();
  for (const [key, value] of Object.entries(description)) {
    if (META_KEYS.has(key)) continue;
    const repeated = key.endsWith('[]');
    const name = repeated ? key.slice(0, -2) : key;
    const children = value !== null && typeof value === 'object' ? fieldSpecs(value as Record<string, unknown>) : null;
    out.set(name, { name, repeated, children, index: out.size });
  }
  return out;
}

interface WsdlMethod { readonly soapAction?: string }
interface WsdlBinding { readonly methods: Record<string, WsdlMethod>; readonly topElements: Record<string, { methodName: string; outputName: string }> }
interface WsdlPortType { readonly methods: Record<string, { input: { $name: string } }> }
interface WsdlMessage { description(definitions: unknown): Record<string, unknown> }
interface WsdlDefinitions {
  readonly $targetNamespace: string;
  readonly portTypes: Record<string, WsdlPortType>;
  readonly bindings: Record<string, WsdlBinding>;
  readonly messages: Record<string, WsdlMessage>;
}

export async function loadServiceContract(service: string, dir = WSDL_DIR): Promise<ServiceContract> {
  const path = `${dir}${service}.wsdl`;
  const wsdl = new WSDL(readFileSync(path, 'utf8'), path, {});
  await new Promise<void>((resolve, reject) => wsdl.onReady((error) => (error ? reject(error) : resolve())));
  const definitions = wsdl.definitions as unknown as WsdlDefinitions;
  const [portTypeName, portType] = Object.entries(definitions.portTypes)[0] ?? [];
  if (portTypeName === undefined || portType === undefined) throw new Error(`${service}: no portType`);
  const bindings = Object.values(definitions.bindings);
  const operations = new Map<string, OperationContract>();
  for (const [name, method] of Object.entries(portType.methods)) {
    const described = definitions.messages[method.input.$name]!.description(definitions);
    const [requestElement, shape] = Object.entries(described)[0] ?? [];
    if (requestElement === undefined) throw new Error(`${service}.${name}: no request element`);
    const top = bindings[0]!.topElements[requestElement];
    if (top?.methodName !== name) throw new Error(`${service}.${name}: request element ${requestElement} is not the operation's`);
    const soapActions = new Set(bindings.flatMap((b) => (b.methods[name]?.soapAction ? [b.methods[name].soapAction] : [])));
    operations.set(name, {
      name, requestElement, responseElement: top.outputName, soapActions, request: fieldSpecs(shape as Record<string, unknown>),
    });
  }
  return {
    service, namespace: definitions.$targetNamespace, portType: portTypeName, operations,
    byRequestElement: new Map([...operations.values()].map((op) => [op.requestElement, op])),
  };
}

// ── Reading a request by its shape ──────────────────────────────────────────────────────────────

function invalid(reason: string): GridbillError {
  return new GridbillError('VALIDATION_FAILED', reason);
}

/** A request element checked against its shape; values are the trimmed strings that were sent. */
export class Args {
  private constructor(private readonly values: ReadonlyMap<string, readonly (string | Args)[]>) {}

  static read(node: XmlElement, specs: FieldSpecs, namespace: string): Args {
    if (node.text.trim() !== '') throw invalid(`${node.local}: text where elements are expected`);
    const values = new Map<string, (string | Args)[]>();
    let lastIndex = -1;
    for (const child of node.children) {
      const spec = child.uri === namespace ? specs.get(child.local) : undefined;
      if (spec === undefined) throw invalid(`${node.local}: unexpected element ${child.local.slice(0, 64)}`);
      if (spec.index < lastIndex) throw invalid(`${node.local}: ${child.local} out of order`);
      const list = values.get(spec.name) ?? [];
      if (list.length > 0 && (!spec.repeated || spec.index !== lastIndex)) throw invalid(`${node.local}: ${child.local} repeated`);
      lastIndex = spec.index;
      if (spec.children === null) {
        if (child.children.length > 0) throw invalid(`${child.local}: elements where a value is expected`);
        list.push(child.text.trim());
      } else {
        list.push(Args.read(child, spec.children, namespace));
      }
      values.set(spec.name, list);
    }
    return new Args(values);
  }

  optional(name: string): string | undefined {
    const list = this.values.get(name);
    if (list === undefined) return undefined;
    const [value] = list;
    if (typeof value !== 'string') throw invalid(`${name}: not a value`);
    return value;
  }

  one(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw invalid(`${name} is missing`);
    return value;
  }

  many(name: string): string[] {
    return (this.values.get(name) ?? []).map((v) => {
      if (typeof v !== 'string') throw invalid(`${name}: not a value`);
      return v;
    });
  }

  /** The occurrences of a repeated complex element, each read by its own fields. */
  groups(name: string): Args[] {
    return (this.values.get(name) ?? []).map((v) => {
      if (typeof v === 'string') throw invalid(`${name}: a value where elements are expected`);
      return v;
    });
  }
}
