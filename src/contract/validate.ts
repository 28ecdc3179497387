// Validating an element tree against its declaration: namespace and name, no attributes at all
// (our contracts declare none, so `xsi:type`, `xsi:nil` and anything else is refused), the
// sequence in order with every element's occurrences, no text beside child elements, no child
// elements inside a value, and every value checked against its simple type.
//
// Every problem is collected (up to LIMITS.contractViolationsMax) with the path of the element it
// concerns, `/Pay/billNo[2]`, so a caller can fix its request in one round. Nothing here throws on
// bad input: a hostile tree only ever produces violations.

import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { ComplexType, ComplexValue, ContractValue, ElementDecl, SimpleType, SimpleValue } from './schema.ts';
import { checkSimple } from './simple-types.ts';
import { XSI_NS, type XmlElement } from './xml.ts';

export interface Violation {
  /** `/Pay/amount`, `/Pay/billNo[2]`: local names from the operation element down, 1-based positions. */
  readonly path: string;
  readonly reason: string;
}

export type Validation =
  | { readonly ok: true; readonly value: ComplexValue }
  | { readonly ok: false; readonly violations: readonly Violation[] };

/** A name from the document, shortened so a megabyte name is not carried into faults and logs. */
function shown(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

const WHITESPACE_ONLY = /^[ \t\n\r]*$/;

class Collector {
  readonly violations: Violation[] = [];

  add(path: string, reason: string): void {
    if (this.violations.length < LIMITS.contractViolationsMax) this.violations.push({ path, reason });
  }

  get full(): boolean {
    return this.violations.length >= LIMITS.contractViolationsMax;
  }
}

function checkAttributes(node: XmlElement, path: string, out: Collector): void {
  for (const name of node.attrs.keys()) {
    if (name === `{${XSI_NS}}nil`) out.add(path, 'xsi:nil is not allowed: leave an optional element out');
    else if (name === `{${XSI_NS}}type`) out.add(path, 'xsi:type is not allowed');
    else out.add(path, `attribute ${shown(name)} is not allowed`);
  }
}

function simpleValue(decl: ElementDecl, type: SimpleType, node: XmlElement, path: string, out: Collector): SimpleValue | undefined {
  if (node.children.length > 0) {
    out.add(path, `elements where a value of ${type.name} is expected`);
    return undefined;
  }
  const checked = checkSimple(type, node.text);
  if ('reason' in checked) {
    out.add(path, checked.reason);
    return undefined;
  }
  return { kind: 'simple', namespace: decl.namespace, name: decl.name, text: checked.text, builtin: type.builtin };
}

function matches(decl: ElementDecl, node: XmlElement): boolean {
  return decl.name === node.local && decl.namespace === node.uri;
}

/** Where an element that fits no particle at the current place would have belonged. */
function misplaced(type: ComplexType, node: XmlElement, from: number): string {
  const index = type.particles.findIndex((p) => matches(p, node));
  if (index >= 0 && index < from) return `${node.local} is out of order`;
  if (type.particles.some((p) => p.name === node.local)) return `${shown(node.local)} is in the wrong namespace`;
  return `unexpected element ${shown(node.local)}`;
}

function complexValue(decl: ElementDecl, type: ComplexType, node: XmlElement, path: string, out: Collector): ComplexValue | undefined {
  if (!WHITESPACE_ONLY.test(node.text)) out.add(path, 'text where elements are expected');
  const before = out.violations.length;
  const children: ContractValue[] = [];
  let index = 0;
  let count = 0;
  for (const child of node.children) {
    if (out.full) break;
    // the first particle at or after the current one that this element fits; names are unique in
    // a sequence, so there is at most one and the match is exact
    let target = index;
    while (target < type.particles.length && !matches(type.particles[target]!, child)) target += 1;
    const particle = type.particles[target];
    if (particle === undefined) {
      out.add(`${path}/${shown(child.local)}`, misplaced(type, child, index));
      continue;
    }
    if (target !== index) {
      missing(type, index, count, target, path, out);
      index = target;
      count = 0;
    }
    count += 1;
    const childPath = particle.maxOccurs > 1 ? `${path}/${child.local}[${count}]` : `${path}/${child.local}`;
    if (count > particle.maxOccurs) {
      out.add(childPath, particle.maxOccurs === 1 ? 'occurs more than once' : `occurs more than ${particle.maxOccurs} times`);
      continue;
    }
    const value = elementValue(particle, child, childPath, out);
    if (value) children.push(value);
  }
  missing(type, index, count, type.particles.length, path, out);
  if (out.violations.length > before) return undefined;
  return { kind: 'complex', namespace: decl.namespace, name: decl.name, children };
}

/** Particles from `from` (seen `count` times) up to `to` that occur fewer times than they must. */
function missing(type: ComplexType, from: number, count: number, to: number, path: string, out: Collector): void {
  for (let i = from; i < to; i += 1) {
    const particle = type.particles[i]!;
    const seen = i === from ? count : 0;
    if (seen >= particle.minOccurs) continue;
    out.add(`${path}/${particle.name}`, seen === 0 ? 'missing' : `occurs ${seen} times, at least ${particle.minOccurs} required`);
  }
}

function elementValue(decl: ElementDecl, node: XmlElement, path: string, out: Collector): ContractValue | undefined {
  checkAttributes(node, path, out);
  return decl.type.kind === 'simple'
    ? simpleValue(decl, decl.type, node, path, out)
    : complexValue(decl, decl.type, node, path, out);
}

/** Validates `node` as an instance of the global element `decl` (an operation's request or response). */
export function validateElement(decl: ElementDecl, node: XmlElement): Validation {
  const out = new Collector();
  const path = `/${shown(node.local)}`;
  if (node.local !== decl.name) out.add(path, `expected element ${decl.name}`);
  else if (node.uri !== decl.namespace) out.add(path, `expected namespace ${decl.namespace}`);
  else if (decl.type.kind !== 'complex') out.add(path, 'not a message element');
  if (out.violations.length > 0) return { ok: false, violations: out.violations };
  const value = elementValue(decl, node, path, out);
  if (value === undefined || value.kind !== 'complex' || out.violations.length > 0) {
    return { ok: false, violations: out.violations };
  }
  return { ok: true, value };
}

/** VALIDATION_FAILED naming the first violations: the fault a caller gets for an invalid message. */
export function validationError(violations: readonly Violation[]): GridbillError {
  const shownViolations = violations.slice(0, 5).map((v) => `${v.path}: ${v.reason}`);
  const more = violations.length > 5 ? `; and ${violations.length - 5} more` : '';
  const detail = `${shownViolations.join('; ')}${more}`;
  // a fault message is one t:Text of at most 500 characters, the catalogue message included
  return new GridbillError('VALIDATION_FAILED', detail.length > 400 ? `${detail.slice(0, 399)}…` : detail);
}
