// The protocol break: an element written again from values, never from received bytes. The output
// has one form for one value: elements in schema order, no prefixes (each element whose namespace
// differs from its parent's declares it as the default namespace, the message element always),
// no attributes, comments, processing instructions or whitespace, text escaped so that reading it
// back gives the same characters.
//
// The writer walks the declaration, not the value: a value built by code (the core's answers)
// comes out in schema order whatever order its children were given in, and a value that does not
// fit the declaration — an unknown or missing element, too many occurrences, a value outside its
// type — is a programmer error that throws rather than writes an invalid message.

import type { ComplexType, ComplexValue, ContractValue, ElementDecl } from './schema.ts';
import { checkSimple } from './simple-types.ts';
import { escapeXml, isXmlText } from './xml.ts';

export class ContractWriteError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'ContractWriteError';
  }
}

function open(name: string, namespace: string, parentNamespace: string | undefined): string {
  return namespace === parentNamespace ? `<${name}>` : `<${name} xmlns="${escapeXml(namespace)}">`;
}

function writeValue(decl: ElementDecl, value: ContractValue, path: string, parentNamespace: string | undefined, out: string[]): void {
  if (value.kind !== decl.type.kind) throw new ContractWriteError(path, `a ${decl.type.kind} value is expected`);
  if (value.kind === 'complex') {
    out.push(open(decl.name, decl.namespace, parentNamespace));
    writeChildren(decl.type as ComplexType, value, path, decl.namespace, out);
    out.push(`</${decl.name}>`);
    return;
  }
  if (decl.type.kind !== 'simple') return;
  const checked = checkSimple(decl.type, value.text);
  if ('reason' in checked) throw new ContractWriteError(path, checked.reason);
  if (!isXmlText(checked.text)) throw new ContractWriteError(path, 'a character XML cannot carry');
  out.push(open(decl.name, decl.namespace, parentNamespace), escapeXml(checked.text), `</${decl.name}>`);
}

function writeChildren(type: ComplexType, value: ComplexValue, path: string, namespace: string, out: string[]): void {
  const used = new Set<ContractValue>();
  for (const particle of type.particles) {
    const occurrences = value.children.filter((c) => c.name === particle.name && c.namespace === particle.namespace);
    if (occurrences.length < particle.minOccurs) throw new ContractWriteError(`${path}/${particle.name}`, 'missing');
    if (occurrences.length > particle.maxOccurs) throw new ContractWriteError(`${path}/${particle.name}`, `more than ${particle.maxOccurs}`);
    occurrences.forEach((child, i) => {
      used.add(child);
      const childPath = particle.maxOccurs > 1 ? `${path}/${particle.name}[${i + 1}]` : `${path}/${particle.name}`;
      writeValue(particle, child, childPath, namespace, out);
    });
  }
  const unknown = value.children.find((c) => !used.has(c));
  if (unknown) throw new ContractWriteError(`${path}/${unknown.name}`, 'not declared here');
}

/** The canonical text of `value` as an instance of the global element `decl`. */
export function writeCanonical(decl: ElementDecl, value: ComplexValue): string {
  if (value.name !== decl.name || value.namespace !== decl.namespace) {
    throw new ContractWriteError(`/${value.name}`, `expected {${decl.namespace}}${decl.name}`);
  }
  const out: string[] = [];
  writeValue(decl, value, `/${decl.name}`, undefined, out);
  return out.join('');
}
