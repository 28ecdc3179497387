// XML Schema regular expressions (XSD 1.0 Part 2, Appendix F) translated to JavaScript ones.
//
// The two dialects look alike and differ where it matters for validation: an XSD pattern is
// anchored at both ends; `^` and `$` are ordinary characters; `.` excludes only line feed and
// carriage return; `\d` is every Unicode decimal digit and `\w` is "not punctuation, separator or
// other", where JavaScript's are ASCII. So a pattern is parsed into a small tree and written out
// again with every difference spelled out. Whatever this translator does not know (character
// class subtraction, `\i` `\c`, block escapes `\p{IsBasicLatin}`, anything not in the grammar) is
// refused when the contract is compiled, never guessed at.

export type ClassItem =
  | { readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly kind: 'category'; readonly name: string; readonly negated: boolean };

export type RegexNode =
  | { readonly kind: 'alt'; readonly branches: readonly RegexNode[] }
  | { readonly kind: 'seq'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'repeat'; readonly atom: RegexNode; readonly min: number; readonly max: number | null }
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'class'; readonly negated: boolean; readonly items: readonly ClassItem[] }
  | { readonly kind: 'any' };

export class XsdRegexError extends Error {
  constructor(pattern: string, reason: string) {
    super(`unsupported XSD pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'XsdRegexError';
  }
}

// The general categories both dialects name the same way (XSD F.1.1; ECMAScript General_Category).
const CATEGORIES = new Set([
  'L', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'M', 'Mn', 'Mc', 'Me', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Ps', 'Pe', 'Pi',
  'Pf', 'Po', 'Z', 'Zs', 'Zl', 'Zp', 'S', 'Sm', 'Sc', 'Sk', 'So', 'C', 'Cc', 'Cf', 'Co', 'Cn',
]);

const SINGLE_ESCAPES: Readonly<Record<string, number>> = {
  n: 0x0a, r: 0x0d, t: 0x09, '\\': 0x5c, '|': 0x7c, '.': 0x2e, '?': 0x3f, '*': 0x2a, '+': 0x2b, '(': 0x28, ')': 0x29,
  '{': 0x7b, '}': 0x7d, '-': 0x2d, '[': 0x5b, ']': 0x5d, '^': 0x5e,
};

const SPACES: readonly ClassItem[] = [0x20, 0x09, 0x0a, 0x0d].map((c) => ({ kind: 'range', from: c, to: c }));
const cat = (name: string, negated = false): ClassItem => ({ kind: 'category', name, negated });
/** `\w`: every character but punctuation, separators and "other" (XSD F.1.1). */
const NOT_WORD: readonly ClassItem[] = [cat('P'), cat('Z'), cat('C')];

class Parser {
  private readonly chars: readonly string[];
  private pos = 0;

  constructor(private readonly pattern: string) {
    this.chars = [...pattern];
  }

  parse(): RegexNode {
    const node = this.regExp();
    if (this.pos < this.chars.length) this.fail(`unexpected ${this.peek()}`);
    return node;
  }

  private fail(reason: string): never {
    throw new XsdRegexError(this.pattern, `${reason} at character ${this.pos + 1}`);
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string {
    const c = this.chars[this.pos];
    if (c === undefined) this.fail('unexpected end');
    this.pos += 1;
    return c;
  }

  private regExp(): RegexNode {
    const branches = [this.branch()];
    while (this.peek() === '|') {
      this.pos += 1;
      branches.push(this.branch());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  private branch(): RegexNode {
    const items: RegexNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) items.push(this.piece());
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }

  private piece(): RegexNode {
    const atom = this.atom();
    const c = this.peek();
    if (c === '{') return this.quantity(atom);
    const bounds = c === '?' ? [0, 1] as const : c === '*' ? [0, null] as const : c === '+' ? [1, null] as const : undefined;
    if (bounds === undefined) return atom;
    const node: RegexNode = { kind: 'repeat', atom, min: bounds[0], max: bounds[1] };
    this.pos += 1;
    if ('?*+{'.includes(this.peek() ?? 'x')) this.fail('a quantifier cannot follow a quantifier');
    return node;
  }

  private quantity(atom: RegexNode): RegexNode {
    this.pos += 1;
    const min = this.number();
    let max: number | null = min;
    if (this.peek() === ',') {
      this.pos += 1;
      max = this.peek() === '}' ? null : this.number();
    }
    if (this.next() !== '}') this.fail('quantity not closed');
    if (max !== null && max < min) this.fail('quantity maximum below minimum');
    if ('?*+{'.includes(this.peek() ?? 'x')) this.fail('a quantifier cannot follow a quantifier');
    return { kind: 'repeat', atom, min, max };
  }

  private number(): number {
    let digits = '';
    while (/[0-9]/.test(this.peek() ?? '')) digits += this.next();
    if (digits === '' || digits.length > 6) this.fail('quantity must be a number below 1000000');
    return Number(digits);
  }

  private atom(): RegexNode {
    const c = this.next();
    switch (c) {
      case '(': {
        const body = this.regExp();
        if (this.next() !== ')') this.fail('group not closed');
        return body;
      }
      case '[': return this.charClassExpr();
      case '.': return { kind: 'any' };
      case '\\': return this.escape();
      case '?': case '*': case '+': case '{': case '}': case ')': case ']':
        return this.fail(`${c} must be escaped`);
      default:
        return { kind: 'char', code: c.codePointAt(0)! };
    }
  }

  /** After a backslash outside a class: a single character or a class. */
  private escape(): RegexNode {
    const c = this.next();
    const single = SINGLE_ESCAPES[c];
    if (single !== undefined) return { kind: 'char', code: single };
    switch (c) {
      case 'd': return { kind: 'class', negated: false, items: [cat('Nd')] };
      case 'D': return { kind: 'class', negated: true, items: [cat('Nd')] };
      case 's': return { kind: 'class', negated: false, items: SPACES };
      case 'S': return { kind: 'class', negated: true, items: SPACES };
      case 'w': return { kind: 'class', negated: true, items: NOT_WORD };
      case 'W': return { kind: 'class', negated: false, items: NOT_WORD };
      case 'p': case 'P': return { kind: 'class', negated: false, items: [cat(this.categoryName(), c === 'P')] };
      default: return this.fail(`escape \\${c} is not supported`);
    }
  }

  private categoryName(): string {
    if (this.next() !== '{') this.fail('\\p needs {category}');
    let name = '';
    while (this.peek() !== '}' && this.peek() !== undefined) name += this.next();
    this.next();
    if (!CATEGORIES.has(name)) this.fail(`category ${name} is not supported (block escapes are not)`);
    return name;
  }

  private charClassExpr(): RegexNode {
    const negated = this.peek() === '^';
    if (negated) this.pos += 1;
    const items: ClassItem[] = [];
    let first = true;
    while (this.peek() !== ']') {
      if (this.peek() === undefined) this.fail('class not closed');
      if (this.peek() === '-' && this.chars[this.pos + 1] === '[') this.fail('class subtraction is not supported');
      items.push(this.classItem(first));
      first = false;
    }
    this.pos += 1;
    if (items.length === 0) this.fail('empty class');
    return { kind: 'class', negated, items };
  }

  private classItem(first: boolean): ClassItem {
    const c = this.next();
    if (c === '[') this.fail('[ must be escaped in a class');
    if (c === '-' && !first && this.peek() !== ']') this.fail('- must be first, last or escaped in a class');
    let from: number;
    if (c === '\\') {
      const escaped = this.classEscape();
      if (typeof escaped !== 'number') return escaped;
      from = escaped;
    } else {
      from = c.codePointAt(0)!;
    }
    if (this.peek() !== '-' || this.chars[this.pos + 1] === ']' || this.chars[this.pos + 1] === '[') {
      return { kind: 'range', from, to: from };
    }
    this.pos += 1;
    const end = this.next();
    const to = end === '\\' ? this.classEscape() : end.codePointAt(0)!;
    if (typeof to !== 'number') this.fail('a range cannot end in a class escape');
    if (end === '[') this.fail('[ must be escaped in a class');
    if (to < from) this.fail('range out of order');
    return { kind: 'range', from, to };
  }

  /** After a backslash inside a class: a code point, or an item standing for a set. */
  private classEscape(): number | ClassItem {
    const c = this.next();
    const single = SINGLE_ESCAPES[c];
    if (single !== undefined) return single;
    switch (c) {
      case 'd': return cat('Nd');
      case 'D': return cat('Nd', true);
      case 'p': case 'P': return cat(this.categoryName(), c === 'P');
      case 's': return this.fail('\\s inside a class is not supported; write the four characters');
      default: return this.fail(`escape \\${c} is not supported inside a class`);
    }
  }
}

export function parseXsdRegex(pattern: string): RegexNode {
  return new Parser(pattern).parse();
}

const codeEscape = (code: number): string => `\\u{${code.toString(16)}}`;

function emitItem(item: ClassItem): string {
  if (item.kind === 'category') return `\\${item.negated ? 'P' : 'p'}{${item.name}}`;
  return item.from === item.to ? codeEscape(item.from) : `${codeEscape(item.from)}-${codeEscape(item.to)}`;
}

function emit(node: RegexNode): string {
  switch (node.kind) {
    case 'alt': return node.branches.map(emit).join('|');
    case 'seq': return node.items.map((n) => `(?:${emit(n)})`).join('');
    case 'repeat': return `(?:${emit(node.atom)}){${node.min},${node.max ?? ''}}`;
    case 'char': return codeEscape(node.code);
    case 'any': return '[^\\n\\r]';
    case 'class': return `[${node.negated ? '^' : ''}${node.items.map(emitItem).join('')}]`;
  }
}

/** The JavaScript source (for the `u` flag, unanchored) of a parsed pattern or part of one. */
export function regexSource(node: RegexNode): string {
  return emit(node);
}

/** The JavaScript equivalent of an XSD pattern, anchored as XSD patterns are. */
export function compileXsdRegex(pattern: string): RegExp {
  return new RegExp(`^(?:${emit(parseXsdRegex(pattern))})$`, 'u');
}
