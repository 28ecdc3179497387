// Instances built from a compiled contract itself: for every element a value its type accepts,
// every particle as often as asked. The randomness comes from a seed (fast-check supplies it in the
// property tests), so a failure is reproducible. Values are generated, then checked with the
// contract's own simple-type check and regenerated when they miss a facet — the generator aims, the
// checker judges, and the fixtures and libxml2 keep the checker honest.

import type { ComplexType, ElementDecl, SimpleType } from '../../src/contract/schema.ts';
import { checkSimple } from '../../src/contract/simple-types.ts';
import { parseXsdRegex, regexSource, type RegexNode } from '../../src/contract/xsd-regex.ts';
import { escapeXml, type XmlElement } from '../../src/contract/xml.ts';

export type Random = () => number;

/** mulberry32: small, seeded, good enough for test data. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rnd: Random, min: number, max: number): number => min + Math.floor(rnd() * (max - min + 1));
const pick = <T>(rnd: Random, items: readonly T[]): T => items[int(rnd, 0, items.length - 1)]!;

// Candidates for a character class: ASCII, CJK, a full-width digit, a no-break space, a control.
const POOL = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '张', '丰', '·', 'é', '０', '\u00a0', '\u0007'];
const classPools = new Map<string, string[]>();

function fromClass(node: RegexNode, rnd: Random): string {
  const source = regexSource(node);
  let pool = classPools.get(source);
  if (!pool) {
    const re = new RegExp(`^${source}$`, 'u');
    classPools.set(source, pool = POOL.filter((c) => re.test(c)));
  }
  return pool.length === 0 ? '' : pick(rnd, pool);
}

export function fromRegex(node: RegexNode, rnd: Random): string {
  switch (node.kind) {
    case 'alt': return fromRegex(pick(rnd, node.branches), rnd);
    case 'seq': return node.items.map((n) => fromRegex(n, rnd)).join('');
    case 'repeat': {
      const max = Math.min(node.max ?? Infinity, node.min + (rnd() < 0.3 ? 64 : 10));
      return Array.from({ length: int(rnd, node.min, max) }, () => fromRegex(node.atom, rnd)).join('');
    }
    case 'char': return String.fromCodePoint(node.code);
    case 'any': case 'class': return fromClass(node, rnd);
  }
}

function candidateString(type: SimpleType, rnd: Random): string {
  const patterned = [...type.steps].reverse().find((s) => s.patternSources.length > 0);
  if (patterned) return fromRegex(parseXsdRegex(pick(rnd, patterned.patternSources)), rnd);
  const max = Math.min(...type.steps.map((s) => s.maxLength ?? s.length ?? 12));
  const min = Math.max(0, ...type.steps.map((s) => s.minLength ?? s.length ?? 0));
  return Array.from({ length: int(rnd, min, Math.max(min, max)) }, () => pick(rnd, ['a', 'Z', '5', ' ', '张', '-', '&', '"'])).join('');
}

function candidateDecimal(type: SimpleType, rnd: Random): string {
  const fd = Math.min(6, ...type.steps.map((s) => s.fractionDigits ?? 6), type.builtin === 'decimal' ? 6 : 0);
  const td = Math.min(18, ...type.steps.map((s) => s.totalDigits ?? 18));
  const maxBound = type.steps.map((s) => s.maxInclusive ?? s.maxExclusive).find((b) => b !== undefined);
  const minBound = type.steps.map((s) => s.minInclusive ?? s.minExclusive).find((b) => b !== undefined);
  const wholeMax = Math.max(1, Math.min(td, maxBound ? maxBound.whole.length : td));
  const fraction = Array.from({ length: int(rnd, 0, Math.min(fd, td - 1)) }, () => int(rnd, 0, 9)).join('');
  const whole = Array.from({ length: int(rnd, 1, Math.max(1, wholeMax - fraction.length)) }, () => int(rnd, 0, 9)).join('');
  const negative = minBound === undefined ? rnd() < 0.3 : minBound.negative && rnd() < 0.3;
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function candidate(type: SimpleType, rnd: Random): string {
  const enumerated = [...type.steps].reverse().find((s) => s.enumeration);
  if (enumerated?.enumeration) return pick(rnd, enumerated.enumeration);
  switch (type.primitive) {
    case 'string': return candidateString(type, rnd);
    case 'decimal': return candidateDecimal(type, rnd);
    case 'boolean': return pick(rnd, ['true', 'false', '1', '0']);
    case 'base64Binary': return Buffer.from(Array.from({ length: int(rnd, 0, 12) }, () => int(rnd, 0, 255))).toString('base64');
    case 'date': case 'dateTime': {
      const d = new Date(Date.UTC(int(rnd, 1990, 2090), int(rnd, 0, 11), int(rnd, 1, 31), int(rnd, 0, 23), int(rnd, 0, 59), int(rnd, 0, 59)));
      const iso = d.toISOString();
      if (type.primitive === 'date') return iso.slice(0, 10);
      return `${iso.slice(0, 19)}${pick(rnd, ['', '.5', '.123'])}${pick(rnd, ['+08:00', 'Z', '-05:30'])}`;
    }
  }
}

/** A value `type` accepts; throws when two hundred tries all miss (a generator gap, not a contract bug). */
export function simpleSample(type: SimpleType, rnd: Random): string {
  for (let i = 0; i < 200; i += 1) {
    const value = candidate(type, rnd);
    if ('text' in checkSimple(type, value)) return value;
  }
  throw new Error(`no sample found for ${type.name}`);
}

/** How many occurrences of a particle: its minimum, or (rich) up to two more within its maximum. */
export type Occurrences = (decl: ElementDecl, rnd: Random) => number;
export const minimal: Occurrences = (decl) => decl.minOccurs;
export const rich: Occurrences = (decl, rnd) => int(rnd, decl.minOccurs, Math.min(decl.maxOccurs, decl.minOccurs + 2));

export function instance(decl: ElementDecl, rnd: Random, occurrences: Occurrences = rich, depth = 0): XmlElement {
  const node: XmlElement = { uri: decl.namespace, local: decl.name, attrs: new Map(), children: [], text: '' };
  if (decl.type.kind === 'simple') {
    node.text = simpleSample(decl.type, rnd);
    return node;
  }
  for (const particle of (decl.type as ComplexType).particles) {
    const count = depth > 8 ? particle.minOccurs : occurrences(particle, rnd);
    for (let i = 0; i < count; i += 1) node.children.push(instance(particle, rnd, occurrences, depth + 1));
  }
  return node;
}

/** The tree as a document, with a prefix of its own so the reader has namespaces to resolve. */
export function toXml(node: XmlElement, parentUri?: string): string {
  const attrs = [...node.attrs].map(([k, v]) => {
    const m = /^\{(.*)\}(.*)$/.exec(k);
    return m ? ` xmlns:a="${escapeXml(m[1]!)}" a:${m[2]}="${escapeXml(v)}"` : ` ${k}="${escapeXml(v)}"`;
  }).join('');
  const ns = node.uri === parentUri ? '' : ` xmlns:p="${escapeXml(node.uri)}"`;
  const inner = node.children.length > 0 ? node.children.map((c) => toXml(c, node.uri)).join('\n  ') : escapeXml(node.text);
  return `<p:${node.local}${ns}${attrs}>${inner}</p:${node.local}>`;
}
