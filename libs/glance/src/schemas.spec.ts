import { describe, expect, it } from '@jest/globals';
import { bestSchemaViolation, iterSchemaViolations, schemaValidationMessage } from './json-schema.js';
import { IMAGE_SCHEMA, IMAGES_SCHEMA, METADEFS_NAMESPACE_SCHEMA, METADEFS_RESOURCE_TYPE_SCHEMA, NON_BASE_SCHEMA_PROPERTIES } from './schemas.js';

const ID = '0f6f5b0e-53a5-4b3a-9c55-3c0a3d5f4f21';
/** glance-wire §2.1, the document right after creation. */
const CREATED = {
  name: 't',
  disk_format: 'raw',
  container_format: 'bare',
  visibility: 'shared',
  size: null,
  virtual_size: null,
  status: 'queued',
  checksum: null,
  protected: false,
  min_ram: 0,
  min_disk: 0,
  owner: null,
  os_hidden: false,
  os_hash_algo: null,
  os_hash_value: null,
  id: ID,
  created_at: '2026-11-22T01:21:29Z',
  updated_at: '2026-11-22T01:21:29Z',
  tags: [],
  self: `/v2/images/${ID}`,
  file: `/v2/images/${ID}/file`,
  schema: '/v2/schemas/image',
};

function violation(document: Record<string, unknown>): string | undefined {
  return bestSchemaViolation(document, IMAGE_SCHEMA)?.message;
}

describe('IMAGE_SCHEMA', () => {
  it('has glance 25\'s shape (glance-wire §2.0)', () => {
    expect(IMAGE_SCHEMA.name).toBe('image');
    expect(IMAGE_SCHEMA.additionalProperties).toEqual({ type: 'string' });
    expect(IMAGE_SCHEMA['links']).toEqual([
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ]);
    expect(IMAGE_SCHEMA.required).toBeUndefined();
    expect(Object.keys(IMAGE_SCHEMA)).toEqual(['name', 'properties', 'additionalProperties', 'links']);
  });

  it('lists the properties of the table, without stores (glance-wire §3.3)', () => {
    const properties = IMAGE_SCHEMA.properties ?? {};
    expect(Object.keys(properties)).toEqual([
      'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'checksum', 'os_hash_algo', 'os_hash_value', 'owner',
      'size', 'virtual_size', 'container_format', 'disk_format', 'created_at', 'updated_at', 'tags', 'direct_url', 'min_ram',
      'min_disk', 'self', 'file', 'schema', 'locations', 'kernel_id', 'ramdisk_id', 'instance_uuid', 'architecture', 'os_distro',
      'os_version', 'description', 'cinder_encryption_key_id', 'cinder_encryption_key_deletion_policy',
    ]);
    expect(properties['stores']).toBeUndefined();
    expect(properties['status']).toMatchObject({ type: 'string', readOnly: true });
    expect(properties['disk_format']?.enum).toEqual([null, 'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop']);
    expect(properties['container_format']?.enum).toEqual([null, 'ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed']);
    expect(properties['size']?.type).toEqual(['null', 'integer']);
    expect(properties['tags']?.items).toEqual({ type: 'string', maxLength: 255 });
    for (const name of NON_BASE_SCHEMA_PROPERTIES) expect(properties[name]?.['is_base']).toBe(false);
    expect(properties['kernel_id']?.type).toEqual(['null', 'string']);
    expect(properties['cinder_encryption_key_deletion_policy']?.enum).toEqual(['on_image_deletion', 'do_not_delete']);
    expect(properties['name']?.['is_base']).toBeUndefined();
  });

  it('cannot be changed by a consumer', () => {
    expect(Object.isFrozen(IMAGE_SCHEMA)).toBe(true);
    expect(Object.isFrozen(IMAGE_SCHEMA.properties?.['tags'])).toBe(true);
  });

  it('accepts glance\'s own documents', () => {
    expect([...iterSchemaViolations(CREATED, IMAGE_SCHEMA)]).toEqual([]);
    expect(violation({ ...CREATED, status: 'active', size: 3000000, checksum: 'd41d8cd98f00b204e9800998ecf8427e', anchor_prop: 'hello' })).toBeUndefined();
  });

  it('fails the client probes with jsonschema\'s messages (glance-wire §3)', () => {
    expect(violation({ ...CREATED, status: 'available' })).toBe(
      "'available' is not one of ['queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated']",
    );
    expect(violation({ ...CREATED, anchor_prop: 5 })).toBe("5 is not of type 'string'");
    expect(violation({ ...CREATED, tags: null })).toBe("None is not of type 'array'");
    expect(violation({ ...CREATED, size: '100000' })).toBe("'100000' is not of type 'null', 'integer'");
  });

  it('reports the shallowest violation, the first found among equals', () => {
    expect(violation({ tags: [5], name: 7 })).toBe("7 is not of type 'null', 'string'");
    expect(violation({ tags: ['x'.repeat(256)] })).toBe(`'${'x'.repeat(256)}' is too long`);
    expect(violation({ disk_format: 5 })).toBe("5 is not of type 'null', 'string'");
    expect(violation({ id: 'nope' })).toBe(
      "'nope' does not match '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'",
    );
    expect(violation({ locations: [{}] })).toBe("'url' is a required property");
    expect(violation({ locations: [{ url: 'x', metadata: {}, validation_data: { os_hash_algo: 'a', os_hash_value: 'b', extra: 1 } }] })).toBe(
      "Additional properties are not allowed ('extra' was unexpected)",
    );
  });

  it('words the whole message as glance\'s InvalidObject', () => {
    expect(schemaValidationMessage({ visibility: 'everyone' }, IMAGE_SCHEMA)).toBe(
      "Provided object does not match schema 'image': 'everyone' is not one of ['community', 'public', 'private', 'shared']",
    );
    expect(schemaValidationMessage({ name: 'ok' }, IMAGE_SCHEMA)).toBeNull();
  });
});

describe('IMAGES_SCHEMA', () => {
  it('is glance\'s collection schema around the image schema', () => {
    expect(IMAGES_SCHEMA).toEqual({
      name: 'images',
      properties: {
        images: { type: 'array', items: IMAGE_SCHEMA },
        schema: { type: 'string' },
        first: { type: 'string' },
        next: { type: 'string' },
      },
      links: [
        { rel: 'first', href: '{first}' },
        { rel: 'next', href: '{next}' },
        { rel: 'describedby', href: '{schema}' },
      ],
    });
    expect(schemaValidationMessage({ images: [CREATED], first: '/v2/images', schema: '/v2/schemas/images' }, IMAGES_SCHEMA)).toBeNull();
  });
});

describe('metadefs schemas', () => {
  it('are small valid schema documents', () => {
    expect(METADEFS_NAMESPACE_SCHEMA.name).toBe('namespace');
    expect(METADEFS_NAMESPACE_SCHEMA.required).toEqual(['namespace']);
    expect(METADEFS_RESOURCE_TYPE_SCHEMA.name).toBe('resource_type_association');
    expect(schemaValidationMessage({ namespace: 'OS::Compute::Libvirt', visibility: 'public' }, METADEFS_NAMESPACE_SCHEMA)).toBeNull();
    expect(schemaValidationMessage({ name: 'OS::Glance::Image', prefix: 'hw_' }, METADEFS_RESOURCE_TYPE_SCHEMA)).toBeNull();
    expect(JSON.parse(JSON.stringify(METADEFS_NAMESPACE_SCHEMA))).toEqual(METADEFS_NAMESPACE_SCHEMA);
  });
});
