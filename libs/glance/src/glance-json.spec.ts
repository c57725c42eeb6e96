import { describe, expect, it } from '@jest/globals';
import { glanceJson } from './glance-json.js';

describe('glanceJson (Python json.dumps with ensure_ascii=False)', () => {
  it('writes plain strings as they are and escapes what JSON must', () => {
    expect(glanceJson('cirros-0.6.2 é ✓ 😀')).toBe('"cirros-0.6.2 é ✓ 😀"');
    expect(glanceJson('say "hi"\\ now\n\r\t\b\f\u0001\u001f\u007f')).toBe('"say \\"hi\\"\\\\ now\\n\\r\\t\\b\\f\\u0001\\u001f\u007f"');
  });

  it('separates items and keys as glance does and leaves out undefined members', () => {
    expect(glanceJson({ name: 'a', size: 3, tags: ['x', 'y'], owner: null, gone: undefined, ok: true })).toBe('{"name": "a", "size": 3, "tags": ["x", "y"], "owner": null, "ok": true}');
  });
});
