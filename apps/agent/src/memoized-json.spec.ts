import { describe, expect, it } from '@jest/globals';
import { MemoizedJson } from './memoized-json.js';

describe('MemoizedJson', () => {
  it('writes each object once, as JSON.stringify does', () => {
    const json = new MemoizedJson<{ name: string; tags: string[] }>();
    const first = { name: 'a "quoted" name', tags: ['x'] };
    const second = { name: 'b', tags: [] };
    expect(json.of(first)).toBe(JSON.stringify(first));
    expect(json.of(second)).toBe(JSON.stringify(second));
    // Remembered: the object is never changed in place, so a later change would not show (by contract).
    first.name = 'changed';
    expect(json.of(first)).toBe('{"name":"a \\"quoted\\" name","tags":["x"]}');
  });
});
