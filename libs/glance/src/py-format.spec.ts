import { describe, expect, it } from '@jest/globals';
import { compareCodePoints, htmlEscape, pyInt, pyLen, pyQuotePlus, pyRepr, pyStr, pyUrlencode, setOwnProperty } from './py-format.js';

describe('pyRepr', () => {
  it('formats JSON values as Python prints them', () => {
    expect(pyRepr(null)).toBe('None');
    expect(pyRepr(true)).toBe('True');
    expect(pyRepr(false)).toBe('False');
    expect(pyRepr(5)).toBe('5');
    expect(pyRepr(-0)).toBe('0');
    expect(pyRepr(1.5)).toBe('1.5');
    expect(pyRepr(0.0001)).toBe('0.0001');
    expect(pyRepr(0.00001)).toBe('1e-05');
    expect(pyRepr(1.5e20)).toBe('150000000000000000000');
    expect(pyRepr(1.25e16 + 0.5)).toBe('12500000000000000');
    expect(pyRepr(-2.5e-7)).toBe('-2.5e-07');
    expect(pyRepr(['a', 1, null])).toBe("['a', 1, None]");
    expect(pyRepr({ k: 'v', n: [true] })).toBe("{'k': 'v', 'n': [True]}");
  });

  it('quotes strings as Python does', () => {
    expect(pyRepr('plain')).toBe("'plain'");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr('both \' and "')).toBe("'both \\' and \"'");
    expect(pyRepr('a\\b\n\t\r')).toBe("'a\\\\b\\n\\t\\r'");
    expect(pyRepr('\u0001\u007f\u00a0\u200b')).toBe("'\\x01\\x7f\\xa0\\u200b'");
    expect(pyRepr('é 😀')).toBe("'é 😀'");
  });

  it('prints strings bare with pyStr', () => {
    expect(pyStr('move')).toBe('move');
    expect(pyStr(5)).toBe('5');
    expect(pyStr(null)).toBe('None');
  });
});

describe('pyInt', () => {
  it('parses what int() parses', () => {
    expect(pyInt('25')).toBe(25);
    expect(pyInt(' -3 ')).toBe(-3);
    expect(pyInt('+7')).toBe(7);
    expect(pyInt('1_000')).toBe(1000);
  });

  it('refuses what int() refuses', () => {
    for (const text of ['', ' ', '1.5', '1e3', '0x10', 'ten', '1__0', '_1', '1_']) expect(pyInt(text)).toBeNull();
  });
});

describe('urlencode', () => {
  it('quotes like quote_plus', () => {
    expect(pyQuotePlus('a b/c:d,e~f_g.h-i')).toBe('a+b%2Fc%3Ad%2Ce~f_g.h-i');
    expect(pyQuotePlus('é*')).toBe('%C3%A9%2A');
  });

  it('joins pairs in order, repeats included', () => {
    expect(
      pyUrlencode([
        ['limit', '200'],
        ['tag', 'a b'],
        ['tag', 'c'],
      ]),
    ).toBe('limit=200&tag=a+b&tag=c');
  });
});

describe('helpers', () => {
  it('counts code points like len()', () => {
    expect(pyLen('😀a')).toBe(2);
  });

  it('escapes HTML like webob', () => {
    expect(htmlEscape(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#x27;');
  });

  it('orders by code point', () => {
    expect(compareCodePoints('a', 'b')).toBe(-1);
    expect(compareCodePoints('b', 'a')).toBe(1);
    expect(compareCodePoints('a', 'a')).toBe(0);
    expect(compareCodePoints('a', 'ab')).toBe(-1);
    expect(compareCodePoints('B', 'a')).toBe(-1);
    expect(compareCodePoints('\uffff', '😀')).toBe(-1);
  });

  it('sets __proto__ as an own property', () => {
    const target: Record<string, string> = {};
    setOwnProperty(target, '__proto__', 'x');
    expect(Object.keys(target)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
  });
});
