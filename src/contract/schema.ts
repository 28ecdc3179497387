// The compiled form of the XSD constructs our contracts use: what the validator and the canonical
// writer walk. Built once per service by load-schema.ts; immutable afterwards.

import type { DecimalParts } from './decimal.ts';

/** The built-in types a contract may build on; anything else is refused when compiling. */
export type Builtin =
  | 'string' | 'boolean' | 'decimal' | 'integer' | 'long' | 'int' | 'short' | 'byte'
  | 'date' | 'dateTime' | 'base64Binary';

/** The primitive a built-in is checked as (integers are decimals without a fraction). */
export type Primitive = 'string' | 'boolean' | 'decimal' | 'date' | 'dateTime' | 'base64Binary';

export type WhiteSpace = 'preserve' | 'replace' | 'collapse';

/** One restriction step's facets; a value must satisfy every step of its derivation chain. */
export interface FacetStep {
  /** Any one of them matches (patterns of one step are alternatives; steps are all required). */
  readonly patterns: readonly RegExp[];
  readonly patternSources: readonly string[];
  readonly enumeration?: readonly string[];
  readonly length?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly totalDigits?: number;
  readonly fractionDigits?: number;
  readonly minInclusive?: DecimalParts;
  readonly maxInclusive?: DecimalParts;
  readonly minExclusive?: DecimalParts;
  readonly maxExclusive?: DecimalParts;
  /** The bound values as written in the schema, for messages. */
  readonly bounds: Readonly<Record<string, string>>;
}

export interface SimpleType {
  readonly kind: 'simple';
  /** `{namespace}Name`, or `(anonymous)` for a type declared inside its element. */
  readonly name: string;
  readonly builtin: Builtin;
  readonly primitive: Primitive;
  readonly whiteSpace: WhiteSpace;
  readonly steps: readonly FacetStep[];
}

export interface ComplexType {
  readonly kind: 'complex';
  readonly name: string;
  /** The sequence, in schema order; names are unique within it, so matching is greedy and exact. */
  readonly particles: readonly ElementDecl[];
}

export interface ElementDecl {
  readonly namespace: string;
  readonly name: string;
  readonly type: SimpleType | ComplexType;
  readonly minOccurs: number;
  readonly maxOccurs: number;
}

/** A value the validator produced (or code built) for one element. */
export type ContractValue = SimpleValue | ComplexValue;

export interface SimpleValue {
  readonly kind: 'simple';
  readonly namespace: string;
  readonly name: string;
  /** The value after XSD whitespace handling, otherwise exactly as sent (`19.50` stays `19.50`). */
  readonly text: string;
  readonly builtin: Builtin;
}

export interface ComplexValue {
  readonly kind: 'complex';
  readonly namespace: string;
  readonly name: string;
  /** In schema order, repeated elements adjacent. */
  readonly children: readonly ContractValue[];
}
