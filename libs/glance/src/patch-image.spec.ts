import { describe, expect, it } from '@jest/globals';
import { GlanceError } from './glance-error.js';
import type { ImageRecord } from './image-record.js';
import {
  applyImagePatch,
  IMAGE_ACCEPT_PATCH,
  IMAGE_PATCH_CONTENT_TYPES,
  imagePatchContentType,
  parseImagePatch,
  unsupportedPatchMediaType,
} from './patch-image.js';

const V20 = { contentType: 'application/openstack-images-v2.0-json-patch' };

function record(overrides: Partial<ImageRecord> = {}): ImageRecord {
  return {
    id: '9e1c4b0a-2f3d-4e5f-8a9b-0c1d2e3f4a5b',
    name: 't',
    status: 'active',
    visibility: 'shared',
    protected: false,
    osHidden: false,
    diskFormat: 'raw',
    containerFormat: 'bare',
    size: 3000000,
    virtualSize: 3000000,
    checksum: 'c'.repeat(32),
    osHashAlgo: 'sha512',
    osHashValue: 'd'.repeat(128),
    minRam: 0,
    minDisk: 0,
    owner: null,
    tags: [],
    properties: {},
    createdAt: '2026-11-22T01:21:29.000Z',
    updatedAt: '2026-11-22T01:21:30.000Z',
    fileName: 'data',
    ...overrides,
  };
}

function failure(image: ImageRecord, ops: unknown, options = {}): { status: number; message: string; detail: string | null } {
  try {
    applyImagePatch(image, ops, options);
  } catch (error) {
    if (error instanceof GlanceError) return { status: error.status, message: error.message, detail: error.detail };
    throw error;
  }
  throw new Error('expected a GlanceError');
}

describe('applyImagePatch: the CLI\'s patches', () => {
  it('adds a custom property and replaces min_ram (glance-wire §2.7)', () => {
    const fields = applyImagePatch(record(), [
      { op: 'add', path: '/anchor_prop', value: 'hello' },
      { op: 'replace', path: '/min_ram', value: 64 },
    ]);
    expect(fields).toEqual({
      name: 't',
      visibility: 'shared',
      protected: false,
      osHidden: false,
      diskFormat: 'raw',
      containerFormat: 'bare',
      minRam: 64,
      minDisk: 0,
      owner: null,
      tags: [],
      properties: { anchor_prop: 'hello' },
    });
  });

  it('removes it again while replacing the tags as a whole (glance-wire §2.8, §2.9)', () => {
    const tagged = record({ tags: ['blue'], properties: { anchor_prop: 'hello' }, minRam: 64 });
    const fields = applyImagePatch(tagged, [
      { op: 'remove', path: '/anchor_prop' },
      { path: '/tags', value: ['blue'], op: 'replace' },
    ]);
    expect(fields.properties).toEqual({});
    expect(fields.tags).toEqual(['blue']);
    expect(fields.minRam).toBe(64);
  });

  it('replaces base attributes the image has, and sets is_base: false ones with add', () => {
    const fields = applyImagePatch(record({ properties: { os_distro: 'debian' } }), [
      { op: 'replace', path: '/name', value: null },
      { op: 'replace', path: '/visibility', value: 'public' },
      { op: 'replace', path: '/protected', value: true },
      { op: 'replace', path: '/os_hidden', value: true },
      { op: 'replace', path: '/min_disk', value: 20 },
      { op: 'replace', path: '/owner', value: 'p2' },
      { op: 'add', path: '/os_distro', value: 'ubuntu' },
      { op: 'add', path: '/kernel_id', value: '9e1c4b0a-2f3d-4e5f-8a9b-0c1d2e3f4a5b' },
      { op: 'add', path: '/description', value: 'an image' },
    ]);
    expect(fields).toMatchObject({ name: null, visibility: 'public', protected: true, osHidden: true, minDisk: 20, owner: 'p2' });
    expect(fields.properties).toEqual({ os_distro: 'ubuntu', kernel_id: '9e1c4b0a-2f3d-4e5f-8a9b-0c1d2e3f4a5b', description: 'an image' });
  });

  it('treats add of an attribute as replace in v2.1', () => {
    expect(applyImagePatch(record(), [{ op: 'add', path: '/name', value: 'n2' }]).name).toBe('n2');
  });

  it('deduplicates tags and leaves the record alone', () => {
    const image = record({ tags: ['x'], properties: { a: '1' } });
    const fields = applyImagePatch(image, [
      { op: 'replace', path: '/tags', value: ['b', 'a', 'b'] },
      { op: 'add', path: '/c', value: '3' },
    ]);
    expect(fields.tags).toEqual(['b', 'a']);
    expect(image.tags).toEqual(['x']);
    expect(image.properties).toEqual({ a: '1' });
  });

  it('changes nothing for an empty patch', () => {
    const image = record({ tags: ['a'], properties: { p: 'v' } });
    expect(applyImagePatch(image, [])).toMatchObject({ name: 't', tags: ['a'], properties: { p: 'v' } });
  });

  it('decodes JSON-pointer escapes', () => {
    const fields = applyImagePatch(record(), [
      { op: 'add', path: '/a~1b', value: 'slash' },
      { op: 'add', path: '/c~0d', value: 'tilde' },
      { op: 'add', path: '/e~01', value: 'literal' },
      { op: 'add', path: '/ padded ', value: 'trimmed' },
    ]);
    expect(fields.properties).toEqual({ 'a/b': 'slash', 'c~d': 'tilde', 'e~1': 'literal', padded: 'trimmed' });
  });

  it('unsets kernel_id / ramdisk_id set to null', () => {
    const fields = applyImagePatch(record({ properties: { kernel_id: '9e1c4b0a-2f3d-4e5f-8a9b-0c1d2e3f4a5b' } }), [
      { op: 'replace', path: '/kernel_id', value: null },
      { op: 'add', path: '/ramdisk_id', value: null },
    ]);
    expect(fields.properties).toEqual({});
  });
});

describe('applyImagePatch: the v2.0 media type (draft 4 operations)', () => {
  it('reads the operation from its member name', () => {
    const fields = applyImagePatch(record({ properties: { old: 'x' } }), [{ replace: '/name', value: 'n' }, { add: '/new', value: 'v' }, { remove: '/old' }], V20);
    expect(fields.name).toBe('n');
    expect(fields.properties).toEqual({ new: 'v' });
  });

  it('refuses to add what is already there', () => {
    expect(failure(record(), [{ add: '/name', value: 'n' }], V20)).toEqual({ status: 409, message: 'Property name already present.', detail: 'Property name already present.' });
    expect(failure(record({ properties: { p: 'v' } }), [{ add: '/p', value: 'w' }], V20).status).toBe(409);
  });

  it('wants exactly one operation member', () => {
    expect(failure(record(), [{ value: 'n' }], V20).message).toBe('Operation objects must contain exactly one member named "add", "remove", or "replace".');
    expect(failure(record(), [{ add: '/a', remove: '/a', value: 'n' }], V20).message).toBe(
      'Operation objects must contain only one member named "add", "remove", or "replace".',
    );
  });
});

describe('applyImagePatch: refusals', () => {
  it('refuses read-only attributes with 403', () => {
    for (const name of ['id', 'status', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at', 'self', 'file', 'schema', 'direct_url', 'stores']) {
      expect(failure(record(), [{ op: 'replace', path: `/${name}`, value: 'x' }])).toEqual({ status: 403, message: `Attribute '${name}' is read-only.`, detail: null });
    }
    expect(failure(record(), [{ op: 'remove', path: '/id' }]).message).toBe("Attribute 'id' is read-only.");
  });

  it('refuses reserved names with 403', () => {
    for (const name of ['location', 'deleted', 'deleted_at', 'os_glance_import_task']) {
      expect(failure(record(), [{ op: 'add', path: `/${name}`, value: 'x' }])).toEqual({ status: 403, message: `Attribute '${name}' is reserved.`, detail: null });
    }
  });

  it('answers 404 for a deleted image, but only once the patch is valid', () => {
    const gone = record({ status: 'deleted' });
    expect(failure(gone, [{ op: 'add', path: '/a', value: 'v' }])).toEqual({ status: 404, message: `No image found with ID ${gone.id}`, detail: null });
    expect(failure(gone, [{ op: 'replace', path: '/id', value: 'v' }]).status).toBe(403);
    expect(failure(gone, [], { contentType: 'text/plain' }).status).toBe(415);
  });

  it('validates every operation before applying any', () => {
    expect(
      failure(record(), [
        { op: 'remove', path: '/missing' },
        { op: 'replace', path: '/id', value: 'x' },
      ]).status,
    ).toBe(403);
  });

  it('answers 409 for a missing property and 403 for removing an attribute', () => {
    expect(failure(record(), [{ op: 'remove', path: '/missing' }])).toEqual({ status: 409, message: 'Property missing does not exist.', detail: 'Property missing does not exist.' });
    expect(failure(record(), [{ op: 'replace', path: '/missing', value: 'v' }]).message).toBe('Property missing does not exist.');
    expect(failure(record(), [{ op: 'remove', path: '/name' }])).toEqual({ status: 403, message: 'Property name may not be removed.', detail: 'Property name may not be removed.' });
    expect(failure(record(), [{ op: 'remove', path: '/tags' }]).status).toBe(403);
  });

  it('checks values against the schema', () => {
    const schemaError = (value: unknown, path = '/anchor') => failure(record(), [{ op: 'add', path, value }]).message;
    expect(schemaError(5)).toBe("Provided object does not match schema 'image': 5 is not of type 'string'");
    expect(schemaError(true)).toBe("Provided object does not match schema 'image': True is not of type 'string'");
    expect(schemaError('everyone', '/visibility')).toBe(
      "Provided object does not match schema 'image': 'everyone' is not one of ['community', 'public', 'private', 'shared']",
    );
    expect(schemaError(null, '/tags')).toBe("Provided object does not match schema 'image': None is not of type 'array'");
    expect(schemaError(['t'.repeat(256)], '/tags')).toBe(`Provided object does not match schema 'image': '${'t'.repeat(256)}' is too long`);
    expect(schemaError('64', '/min_ram')).toBe("Provided object does not match schema 'image': '64' is not of type 'integer'");
    expect(schemaError('x'.repeat(256), '/name')).toBe(`Provided object does not match schema 'image': '${'x'.repeat(256)}' is too long`);
    expect(schemaError('nope', '/kernel_id')).toMatch(/^Provided object does not match schema 'image': 'nope' does not match /);
    expect(failure(record(), [{ op: 'add', path: '/big', value: 'v'.repeat(65536) }]).status).toBe(400);
  });

  it('refuses negative or oversized min_ram / min_disk', () => {
    expect(failure(record(), [{ op: 'replace', path: '/min_ram', value: -5 }])).toEqual({
      status: 400,
      message: "Invalid value '-5' for parameter 'min_ram': Cannot be a negative value",
      detail: null,
    });
    expect(failure(record(), [{ op: 'replace', path: '/min_disk', value: 2 ** 31 }]).message).toBe("'min_disk' value out of range, must not exceed 2147483647.");
  });

  it('changes disk_format and container_format only while queued', () => {
    expect(failure(record(), [{ op: 'replace', path: '/disk_format', value: 'qcow2' }])).toEqual({
      status: 403,
      message: 'Attribute disk_format can be only replaced for a queued image.',
      detail: null,
    });
    expect(failure(record({ status: 'deactivated' }), [{ op: 'replace', path: '/container_format', value: 'ovf' }]).message).toBe(
      'Attribute container_format can be only replaced for a queued image.',
    );
    const fields = applyImagePatch(record({ status: 'queued' }), [
      { op: 'replace', path: '/disk_format', value: 'qcow2' },
      { op: 'replace', path: '/container_format', value: null },
    ]);
    expect(fields).toMatchObject({ diskFormat: 'qcow2', containerFormat: null });
  });

  it('enforces the tag and property quotas with 413', () => {
    const tags = Array.from({ length: 129 }, (_, index) => `t${index}`);
    expect(failure(record(), [{ op: 'replace', path: '/tags', value: tags }])).toEqual({
      status: 413,
      message: 'The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128',
      detail: null,
    });
    const full = record({ properties: Object.fromEntries(Array.from({ length: 128 }, (_, index) => [`p${index}`, 'v'])) });
    expect(failure(full, [{ op: 'add', path: '/one_more', value: 'v' }])).toEqual({
      status: 413,
      message: 'The limit has been exceeded on the number of allowed image properties. Attempted: 129, Maximum: 128',
      detail: null,
    });
    expect(Object.keys(applyImagePatch(full, [{ op: 'replace', path: '/p0', value: 'w' }]).properties)).toHaveLength(128);
    const over = record({ properties: Object.fromEntries(Array.from({ length: 130 }, (_, index) => [`p${index}`, 'v'])) });
    expect(Object.keys(applyImagePatch(over, [{ op: 'remove', path: '/p0' }]).properties)).toHaveLength(129);
  });

  it('behaves like glance without visible locations', () => {
    const value = { url: 'file:///x', metadata: {} };
    expect(failure(record(), [{ op: 'add', path: '/locations/-', value }])).toEqual({
      status: 403,
      message: "It's not allowed to add locations if locations are invisible.",
      detail: null,
    });
    expect(failure(record(), [{ op: 'replace', path: '/locations', value: [value] }]).message).toBe("It's not allowed to update locations if locations are invisible.");
    expect(failure(record(), [{ op: 'replace', path: '/locations', value: [] }])).toEqual({ status: 403, message: 'Cannot set locations to empty list.', detail: 'Cannot set locations to empty list.' });
    expect(failure(record(), [{ op: 'remove', path: '/locations/0' }]).message).toBe("It's not allowed to remove locations if locations are invisible.");
    expect(failure(record(), [{ op: 'add', path: '/locations', value }]).message).toBe("Invalid JSON pointer for this resource: '/locations'");
    expect(failure(record(), [{ op: 'add', path: '/locations/-', value: {} }]).message).toBe("Provided object does not match schema 'image': 'url' is a required property");
  });
});

describe('parseImagePatch: malformed patches', () => {
  const message = (body: unknown) => {
    try {
      parseImagePatch(body);
    } catch (error) {
      if (error instanceof GlanceError && error.status === 400) return error.message;
      throw error;
    }
    throw new Error('expected a 400');
  };

  it('wants a list of objects', () => {
    expect(message({ op: 'add' })).toBe('Request body must be a JSON array of operation objects.');
    expect(message(['x'])).toBe('Operations must be JSON objects.');
  });

  it('wants a known op, a path and a value', () => {
    expect(message([{ path: '/a', value: 'v' }])).toBe('Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.');
    expect(message([{ op: 'move', path: '/a' }])).toBe('Invalid operation: `move`. It must be one of the following: add, remove, replace.');
    expect(message([{ op: 'test', path: '/a', value: 'v' }])).toBe('Invalid operation: `test`. It must be one of the following: add, remove, replace.');
    expect(message([{ op: 'add', value: 'v' }])).toBe("Unable to find 'path' in JSON Schema change");
    expect(message([{ op: 'add', path: '/a' }])).toBe('Operation "add" requires a member named "value".');
    expect(message([{ op: 'replace', path: '/a' }])).toBe('Operation "replace" requires a member named "value".');
  });

  it('wants a valid one-token JSON pointer', () => {
    expect(message([{ op: 'remove', path: 'name' }])).toBe('Pointer `name` does not start with "/".');
    expect(message([{ op: 'remove', path: '/a//b' }])).toBe('Pointer `/a//b` contains adjacent "/".');
    expect(message([{ op: 'remove', path: '/a/' }])).toBe('Pointer `/a/` end with "/".');
    expect(message([{ op: 'remove', path: '/a~2' }])).toBe('Pointer `/a~2` contains "~" not part of a recognized escape sequence.');
    expect(message([{ op: 'remove', path: '/a~' }])).toBe('Pointer `/a~` contains "~" not part of a recognized escape sequence.');
    expect(message([{ op: 'replace', path: '/name/first', value: 'x' }])).toBe("Invalid JSON pointer for this resource: '/name/first'");
    expect(message([{ op: 'remove', path: 5 }])).toBe('Pointer `5` does not start with "/".');
  });

  it('returns the decoded operations', () => {
    expect(parseImagePatch([{ op: 'add', path: '/a~1b', value: 'v' }, { op: 'remove', path: '/c' }])).toEqual([
      { op: 'add', path: ['a/b'], value: 'v' },
      { op: 'remove', path: ['c'] },
    ]);
  });
});

describe('PATCH media types', () => {
  it('lists the two accepted types, sorted, for Accept-Patch', () => {
    expect(IMAGE_PATCH_CONTENT_TYPES).toEqual(['application/openstack-images-v2.0-json-patch', 'application/openstack-images-v2.1-json-patch']);
    expect(IMAGE_ACCEPT_PATCH).toBe('application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch');
  });

  it('recognises them with parameters and in any case', () => {
    expect(imagePatchContentType('application/openstack-images-v2.1-json-patch')).toBe('application/openstack-images-v2.1-json-patch');
    expect(imagePatchContentType('Application/OpenStack-Images-v2.0-JSON-Patch; charset=UTF-8')).toBe('application/openstack-images-v2.0-json-patch');
    expect(imagePatchContentType('application/json-patch+json')).toBeNull();
    expect(imagePatchContentType(undefined)).toBeNull();
  });

  it('answers other types with 415 and Accept-Patch', () => {
    const error = unsupportedPatchMediaType('application/json');
    expect(error.status).toBe(415);
    expect(error.headers).toEqual({ 'Accept-Patch': IMAGE_ACCEPT_PATCH });
    expect(failure(record(), [], { contentType: 'application/json' }).status).toBe(415);
  });
});
