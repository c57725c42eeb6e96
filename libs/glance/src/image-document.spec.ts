import { describe, expect, it } from '@jest/globals';
import { glanceJson } from './glance-json.js';
import { glanceIsoTime, toImageDocument } from './image-document.js';
import type { ImageRecord } from './image-record.js';
import { schemaValidationMessage } from './json-schema.js';
import { IMAGE_SCHEMA } from './schemas.js';

const ID = '6f1f3c8e-0a7b-4c8e-9d55-2b8f0f9a7c11';

function record(overrides: Partial<ImageRecord> = {}): ImageRecord {
  return {
    id: ID,
    name: 't',
    status: 'queued',
    visibility: 'shared',
    protected: false,
    osHidden: false,
    diskFormat: 'raw',
    containerFormat: 'bare',
    size: null,
    virtualSize: null,
    checksum: null,
    osHashAlgo: null,
    osHashValue: null,
    minRam: 0,
    minDisk: 0,
    owner: null,
    tags: [],
    properties: {},
    createdAt: '2026-11-22T01:21:29.123Z',
    updatedAt: '2026-11-22T01:21:29.987Z',
    fileName: null,
    ...overrides,
  };
}

describe('toImageDocument', () => {
  it('renders the document of glance-wire §2.1, key for key and in order', () => {
    const document = toImageDocument(record());
    expect(glanceJson(document)).toBe(
      `{"name": "t", "disk_format": "raw", "container_format": "bare", "visibility": "shared", "size": null, "virtual_size": null, ` +
        `"status": "queued", "checksum": null, "protected": false, "min_ram": 0, "min_disk": 0, "owner": null, "os_hidden": false, ` +
        `"os_hash_algo": null, "os_hash_value": null, "id": "${ID}", "created_at": "2026-11-22T01:21:29Z", ` +
        `"updated_at": "2026-11-22T01:21:29Z", "tags": [], "self": "/v2/images/${ID}", "file": "/v2/images/${ID}/file", ` +
        `"schema": "/v2/schemas/image"}`,
    );
    expect(Buffer.byteLength(glanceJson(document))).toBe(578);
  });

  it('shows the data fields once uploaded, and custom properties as top-level strings', () => {
    const document = toImageDocument(
      record({
        status: 'active',
        size: 3000000,
        virtualSize: 3000000,
        checksum: 'd41d8cd98f00b204e9800998ecf8427e',
        osHashAlgo: 'sha512',
        osHashValue: 'a'.repeat(128),
        minRam: 64,
        tags: ['blue'],
        properties: { anchor_prop: 'hello', os_distro: 'debian' },
        fileName: 'data-1',
        owner: 'p1',
      }),
    );
    expect(document).toMatchObject({ size: 3000000, virtual_size: 3000000, status: 'active', os_hash_algo: 'sha512', min_ram: 64, owner: 'p1' });
    expect(document['anchor_prop']).toBe('hello');
    expect(document['os_distro']).toBe('debian');
    expect(Object.keys(document).slice(0, 2)).toEqual(['anchor_prop', 'os_distro']);
    expect(document.tags).toEqual(['blue']);
    expect(schemaValidationMessage(document, IMAGE_SCHEMA)).toBeNull();
  });

  it('matches glance\'s body sizes after upload (744 B) and after the §2.7 update (769 B)', () => {
    const uploaded = record({
      status: 'active',
      size: 3000000,
      virtualSize: 3000000,
      checksum: 'c'.repeat(32),
      osHashAlgo: 'sha512',
      osHashValue: 'd'.repeat(128),
      fileName: 'f',
    });
    expect(Buffer.byteLength(glanceJson(toImageDocument(uploaded)))).toBe(744);
    const updated = { ...uploaded, minRam: 64, properties: { anchor_prop: 'hello' } };
    expect(Buffer.byteLength(glanceJson(toImageDocument(updated)))).toBe(769);
  });

  it('never shows internal or hidden fields', () => {
    const document = toImageDocument(record({ fileName: 'secret', properties: { stores: 'file', os_glance_stage_host: 'h', name: 'shadow' } }));
    for (const key of ['fileName', 'file_name', 'stores', 'locations', 'direct_url', 'os_glance_stage_host']) expect(document).not.toHaveProperty(key);
    expect(document.name).toBe('t');
  });

  it('does not share the record\'s tag list', () => {
    const source = record({ tags: ['a'] });
    toImageDocument(source).tags.push('b');
    expect(source.tags).toEqual(['a']);
  });
});

describe('glanceIsoTime', () => {
  it('truncates to the second in UTC', () => {
    expect(glanceIsoTime('2026-11-22T01:21:29.999Z')).toBe('2026-11-22T01:21:29Z');
    expect(glanceIsoTime('2026-11-22T03:21:29+02:00')).toBe('2026-11-22T01:21:29Z');
    expect(() => glanceIsoTime('yesterday')).toThrow(RangeError);
  });
});

describe('glanceJson', () => {
  it('writes json.dumps(ensure_ascii=False) output', () => {
    expect(glanceJson({ a: [1, 'é', null], b: {}, c: [], d: undefined, e: true, f: 1.5 })).toBe(
      '{"a": [1, "é", null], "b": {}, "c": [], "e": true, "f": 1.5}',
    );
    expect(glanceJson('q"\\\n\u0001\u2028')).toBe('"q\\"\\\\\\n\\u0001\u2028"');
    expect(() => glanceJson(Number.NaN)).toThrow(RangeError);
  });
});
