import { describe, expect, it } from '@jest/globals';
import { parseCreateImage } from './create-image.js';
import { GlanceError } from './glance-error.js';

const ID = '3b7c9a2e-5d41-4f0e-8a6b-1c2d3e4f5a6b';
const NO_AUTH = { owner: null };

function failure(body: unknown): { status: number; message: string; detail: string | null } {
  try {
    parseCreateImage(body, NO_AUTH);
  } catch (error) {
    if (error instanceof GlanceError) return { status: error.status, message: error.message, detail: error.detail };
    throw error;
  }
  throw new Error('expected a GlanceError');
}

describe('parseCreateImage', () => {
  it('takes the CLI\'s body with glance\'s defaults (glance-wire §2.1)', () => {
    expect(parseCreateImage({ name: 't', disk_format: 'raw', container_format: 'bare' }, NO_AUTH)).toEqual({
      fields: {
        name: 't',
        visibility: 'shared',
        protected: false,
        osHidden: false,
        diskFormat: 'raw',
        containerFormat: 'bare',
        minRam: 0,
        minDisk: 0,
        owner: null,
        tags: [],
        properties: {},
      },
    });
  });

  it('accepts every writable attribute, an id, tags and custom properties', () => {
    const result = parseCreateImage(
      {
        id: ID,
        name: null,
        visibility: 'public',
        protected: true,
        os_hidden: true,
        disk_format: null,
        container_format: 'ova',
        min_ram: 512,
        min_disk: 10,
        owner: 'someone',
        tags: ['a', 'b', 'a'],
        os_distro: 'debian',
        kernel_id: ID,
        anchor_prop: 'hello',
      },
      { owner: 'project' },
    );
    expect(result.id).toBe(ID);
    expect(result.fields).toEqual({
      name: null,
      visibility: 'public',
      protected: true,
      osHidden: true,
      diskFormat: null,
      containerFormat: 'ova',
      minRam: 512,
      minDisk: 10,
      owner: 'someone',
      tags: ['a', 'b'],
      properties: { os_distro: 'debian', kernel_id: ID, anchor_prop: 'hello' },
    });
  });

  it('owns the image by the requester unless the body says otherwise', () => {
    expect(parseCreateImage({}, { owner: 'p1' }).fields.owner).toBe('p1');
    expect(parseCreateImage({ owner: null }, { owner: 'p1' }).fields.owner).toBeNull();
  });

  it('leaves a null kernel_id / ramdisk_id unset', () => {
    expect(parseCreateImage({ kernel_id: null, ramdisk_id: null }, NO_AUTH).fields.properties).toEqual({});
  });

  it('keeps a property named __proto__ as a property', () => {
    const { fields } = parseCreateImage(JSON.parse('{"__proto__": "x"}'), NO_AUTH);
    expect(Object.keys(fields.properties)).toEqual(['__proto__']);
    expect(fields.properties['__proto__']).toBe('x');
  });

  it('wants a JSON object', () => {
    expect(failure([])).toEqual({ status: 400, message: "Provided object does not match schema 'image': [] is not of type 'object'", detail: null });
    expect(failure('x').status).toBe(400);
    expect(failure(null).status).toBe(400);
  });

  it('refuses read-only attributes with 403', () => {
    for (const key of ['direct_url', 'self', 'file', 'schema', 'stores', 'created_at', 'updated_at', 'status', 'checksum', 'os_hash_algo', 'os_hash_value', 'size', 'virtual_size']) {
      const value = key === 'size' || key === 'virtual_size' ? 1 : key === 'status' ? 'active' : 'x';
      expect(failure({ [key]: value })).toEqual({ status: 403, message: `Attribute '${key}' is read-only.`, detail: null });
    }
  });

  it('checks the schema before the read-only attributes, as glance does', () => {
    expect(failure({ status: 'bogus' }).status).toBe(400);
    expect(failure({ checksum: 'x'.repeat(33) }).message).toBe(`Provided object does not match schema 'image': '${'x'.repeat(33)}' is too long`);
    expect(failure({ self: 'x', status: 'bogus' }).status).toBe(403);
  });

  it('refuses reserved attributes with 403', () => {
    for (const key of ['location', 'deleted', 'deleted_at', 'os_glance_import_task', 'os_glance']) {
      expect(failure({ [key]: 'x' })).toEqual({ status: 403, message: `Attribute '${key}' is reserved.`, detail: null });
    }
    expect(failure({ locations: [] })).toEqual({ status: 403, message: "Attribute 'locations' is reserved.", detail: null });
  });

  it('validates enums with jsonschema\'s messages', () => {
    expect(failure({ disk_format: 'qcow3' }).message).toBe(
      "Provided object does not match schema 'image': 'qcow3' is not one of [None, 'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop']",
    );
    expect(failure({ container_format: 'zip' }).message).toBe(
      "Provided object does not match schema 'image': 'zip' is not one of [None, 'ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed']",
    );
    expect(failure({ visibility: 'everyone' }).message).toBe(
      "Provided object does not match schema 'image': 'everyone' is not one of ['community', 'public', 'private', 'shared']",
    );
    expect(failure({ cinder_encryption_key_deletion_policy: 'never' }).status).toBe(400);
  });

  it('validates types and lengths', () => {
    expect(failure({ name: 'n'.repeat(256) }).status).toBe(400);
    expect(parseCreateImage({ name: 'n'.repeat(255) }, NO_AUTH).fields.name).toHaveLength(255);
    expect(failure({ min_ram: '64' }).message).toBe("Provided object does not match schema 'image': '64' is not of type 'integer'");
    expect(failure({ min_disk: 1.5 }).message).toBe("Provided object does not match schema 'image': 1.5 is not of type 'integer'");
    expect(failure({ protected: 'yes' }).message).toBe("Provided object does not match schema 'image': 'yes' is not of type 'boolean'");
    expect(failure({ os_hidden: null }).message).toBe("Provided object does not match schema 'image': None is not of type 'boolean'");
    expect(failure({ tags: 'a' }).message).toBe("Provided object does not match schema 'image': 'a' is not of type 'array'");
    expect(failure({ tags: [1] }).message).toBe("Provided object does not match schema 'image': 1 is not of type 'string'");
    expect(failure({ tags: ['t'.repeat(256)] }).status).toBe(400);
    expect(failure({ anchor: 5 }).message).toBe("Provided object does not match schema 'image': 5 is not of type 'string'");
    expect(failure({ anchor: null }).message).toBe("Provided object does not match schema 'image': None is not of type 'string'");
    expect(failure({ id: 'not-a-uuid' }).status).toBe(400);
    expect(failure({ kernel_id: 'not-a-uuid' }).status).toBe(400);
  });

  it('refuses negative and oversized min_ram / min_disk', () => {
    expect(failure({ min_ram: -1 })).toEqual({ status: 400, message: "Invalid value '-1' for parameter 'min_ram': Cannot be a negative value", detail: null });
    expect(failure({ min_ram: -1, min_disk: -2 }).message).toBe("Invalid value '-2' for parameter 'min_disk': Cannot be a negative value");
    expect(failure({ min_ram: 2 ** 31 }).message).toBe("'min_ram' value out of range, must not exceed 2147483647.");
    expect(parseCreateImage({ min_ram: 2 ** 31 - 1 }, NO_AUTH).fields.minRam).toBe(2147483647);
  });

  it('limits custom property names and values', () => {
    expect(failure({ ['k'.repeat(256)]: 'v' })).toEqual({ status: 400, message: 'Custom property should not be greater than 255 characters.', detail: null });
    expect(parseCreateImage({ ['k'.repeat(255)]: 'v' }, NO_AUTH).fields.properties).toHaveProperty('k'.repeat(255));
    expect(failure({ big: 'v'.repeat(65536) }).status).toBe(400);
    expect(parseCreateImage({ big: 'v'.repeat(65535) }, NO_AUTH).fields.properties['big']).toHaveLength(65535);
  });

  it('enforces the tag and property quotas with 413', () => {
    const tags = Array.from({ length: 129 }, (_, index) => `t${index}`);
    expect(failure({ tags })).toEqual({
      status: 413,
      message: 'The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128',
      detail: null,
    });
    expect(parseCreateImage({ tags: tags.slice(0, 128) }, NO_AUTH).fields.tags).toHaveLength(128);
    const properties = Object.fromEntries(Array.from({ length: 129 }, (_, index) => [`p${index}`, 'v']));
    expect(failure(properties)).toEqual({
      status: 413,
      message: 'The limit has been exceeded on the number of allowed image properties. Attempted: 129, Maximum: 128',
      detail: null,
    });
    delete properties['p0'];
    expect(Object.keys(parseCreateImage(properties, NO_AUTH).fields.properties)).toHaveLength(128);
  });
});
