import { expect } from 'chai';
import { XsdRegexError, compileXsdRegex } from '../../src/contract/xsd-regex.ts';

const matches = (pattern: string, value: string): boolean => compileXsdRegex(pattern).test(value);

describe('XSD patterns translated to JavaScript', () => {
  it('anchors at both ends, across alternatives', () => {
    expect(matches('[0-9]{3}', '123')).to.equal(true);
    expect(matches('[0-9]{3}', 'x123')).to.equal(false);
    expect(matches('[0-9]{3}', '1234')).to.equal(false);
    expect(matches('a|b', 'ab')).to.equal(false);
    expect(matches('a|bc', 'bc')).to.equal(true);
  });

  it('reads ^ and $ as ordinary characters', () => {
    expect(matches('^a$', '^a$')).to.equal(true);
    expect(matches('^a$', 'a')).to.equal(false);
  });

  it('\\d is every Unicode decimal digit, [0-9] only the ASCII ones', () => {
    expect(matches('\\d+', '１２٣')).to.equal(true);
    expect(matches('[0-9]+', '１２')).to.equal(false);
    expect(matches('\\D', '１')).to.equal(false);
  });

  it('. excludes only line feed and carriage return', () => {
    expect(matches('.', '\u2028')).to.equal(true);
    expect(matches('.', '\n')).to.equal(false);
    expect(matches('.', '\r')).to.equal(false);
    expect(matches('.', '𠮷')).to.equal(true);
  });

  it('\\s, \\w and categories as XSD defines them', () => {
    expect(matches('\\s+', ' \t\n\r')).to.equal(true);
    expect(matches('\\s', '\u00a0')).to.equal(false);
    expect(matches('\\w+', '张丰abc１')).to.equal(true);
    expect(matches('\\w', '-')).to.equal(false);
    expect(matches('\\W', ' ')).to.equal(true);
    expect(matches('[^\\p{Cc}<>]*', '张*丰 road')).to.equal(true);
    expect(matches('[^\\p{Cc}<>]*', 'a\u0007')).to.equal(false);
    expect(matches('[^\\p{Cc}<>]*', '<b>')).to.equal(false);
    expect(matches('\\P{Lu}+', 'abc')).to.equal(true);
  });

  it('escapes and classes of the contracts', () => {
    expect(matches('[0-9A-Za-z][0-9A-Za-z_\\-]{0,63}', 'ICBC-2026_1')).to.equal(true);
    expect(matches('[0-9A-Za-z][0-9A-Za-z_\\-]{0,63}', "1' OR 1=1")).to.equal(false);
    expect(matches('1[3-9][0-9]\\*{4}[0-9]{4}', '138****5678')).to.equal(true);
    expect(matches('\\{[^\\p{Cc}]*\\}', '{"a":1}')).to.equal(true);
    expect(matches('[a-]+', 'a-a')).to.equal(true);
    expect(matches('[-a]+', '-a')).to.equal(true);
    expect(matches('(ab)+', 'abab')).to.equal(true);
    expect(matches('a{2,}', 'aaaa')).to.equal(true);
    expect(matches('a{2,}', 'a')).to.equal(false);
    expect(matches('\\.\\?\\*\\+\\(\\)\\|\\[\\]\\{\\}\\^\\\\', '.?*+()|[]{}^\\')).to.equal(true);
  });

  for (const [pattern, reason] of [
    ['[a-z-[aeiou]]', /class subtraction/],
    ['\\i\\c*', /escape \\i is not supported/],
    ['\\p{IsBasicLatin}', /block escapes/],
    ['a+?', /a quantifier cannot follow a quantifier/],
    ['a{2}{3}', /a quantifier cannot follow a quantifier/],
    ['(?:a)', /\? must be escaped/],
    ['a{3,1}', /maximum below minimum/],
    ['a{', /quantity/],
    ['[abc', /class not closed/],
    ['(a', /unexpected end/],
    ['a)', /unexpected \)/],
    ['[z-a]', /range out of order/],
    ['[\\s]', /\\s inside a class/],
    ['[\\w]', /escape \\w is not supported inside a class/],
    ['\\b', /escape \\b is not supported/],
    ['[]', /empty class/],
  ] as const) {
    it(`refuses ${pattern}`, () => {
      expect(() => compileXsdRegex(pattern)).to.throw(XsdRegexError, reason);
    });
  }
});
