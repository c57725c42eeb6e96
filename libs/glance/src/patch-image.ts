import { GlanceError } from './glance-error.js';
import { assertImageExists } from './image-lifecycle.js';
import type { ContainerFormat, DiskFormat, ImageRecord, MutableImageFields, Visibility } from './image-record.js';
import {
  enforceDbInts,
  enforceNonNegative,
  enforcePropertyValueLength,
  enforceTagQuota,
  IMAGE_PROPERTY_QUOTA,
  isReservedPropertyName,
  propertyQuotaError,
  uniqueTags,
} from './image-rules.js';
import { schemaValidationMessage } from './json-schema.js';
import { isJsonObject, pyStr, setOwnProperty } from './py-format.js';
import { IMAGE_SCHEMA } from './schemas.js';

export type ImagePatchContentType = 'application/openstack-images-v2.0-json-patch' | 'application/openstack-images-v2.1-json-patch';

/** The PATCH media types glance accepts, sorted as in its `Accept-Patch` header. */
export const IMAGE_PATCH_CONTENT_TYPES: readonly string[] = Object.freeze([
  'application/openstack-images-v2.0-json-patch',
  'application/openstack-images-v2.1-json-patch',
] satisfies ImagePatchContentType[]);

/** The `Accept-Patch` header value that goes with a 415 answer to PATCH. */
export const IMAGE_ACCEPT_PATCH = IMAGE_PATCH_CONTENT_TYPES.join(', ');

/** The media type of a Content-Type header (parameters dropped, lower-cased), if it is a PATCH type. */
export function imagePatchContentType(contentType: string | null | undefined): ImagePatchContentType | null {
  const mediaType = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return IMAGE_PATCH_CONTENT_TYPES.includes(mediaType) ? (mediaType as ImagePatchContentType) : null;
}

/** 415 with `Accept-Patch` for a PATCH in any other media type. */
export function unsupportedPatchMediaType(contentType: string): GlanceError {
  return GlanceError.unsupportedMediaType(contentType, { 'Accept-Patch': IMAGE_ACCEPT_PATCH });
}

export type ImagePatchOp = 'add' | 'remove' | 'replace';

/** One validated change: the decoded JSON pointer as a list of tokens. */
export interface ImagePatchOperation {
  op: ImagePatchOp;
  path: string[];
  value?: unknown;
}

export interface ImagePatchOptions {
  /** The request's Content-Type: v2.0 (draft 4 operations) or v2.1 (draft 10, the default). */
  contentType?: string;
}

const OPERATIONS: readonly ImagePatchOp[] = ['add', 'remove', 'replace'];
/** RequestDeserializer._readonly_properties (plus `stores`, which this service never stores). */
const READ_ONLY = new Set([
  'created_at',
  'updated_at',
  'status',
  'checksum',
  'size',
  'virtual_size',
  'direct_url',
  'self',
  'file',
  'schema',
  'id',
  'os_hash_algo',
  'os_hash_value',
  'stores',
]);
/** Domain attributes a patch sets directly (everything else is a custom property). */
const ATTRIBUTES = new Set(['name', 'visibility', 'protected', 'os_hidden', 'min_ram', 'min_disk', 'owner', 'disk_format', 'container_format', 'tags']);
const NULLABLE_CUSTOM = new Set(['kernel_id', 'ramdisk_id']);

function badRequest(message: string): GlanceError {
  return GlanceError.badRequest(message);
}

function validatePointer(pointer: string): void {
  if (!pointer.startsWith('/')) throw badRequest(`Pointer \`${pointer}\` does not start with "/".`);
  if (/\/\s*?\//.test(pointer.slice(1))) throw badRequest(`Pointer \`${pointer}\` contains adjacent "/".`);
  if (pointer.length > 1 && pointer.endsWith('/')) throw badRequest(`Pointer \`${pointer}\` end with "/".`);
  if (pointer.slice(1).trim() === '/') throw badRequest(`Pointer \`${pointer}\` does not contains valid token.`);
  if (/~[^01]/.test(pointer) || pointer.endsWith('~')) {
    throw badRequest(`Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`);
  }
}

/** RequestDeserializer._decode_json_pointer: leading slashes dropped, `~1` → `/`, `~0` → `~`, tokens trimmed. */
function decodePointer(pointer: string): string[] {
  validatePointer(pointer);
  return pointer
    .replace(/^\/+/, '')
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~').trim());
}

function patchVersion(options: ImagePatchOptions): 4 | 10 {
  if (options.contentType === undefined) return 10;
  const mediaType = imagePatchContentType(options.contentType);
  if (mediaType === null) throw unsupportedPatchMediaType(options.contentType);
  return mediaType === 'application/openstack-images-v2.0-json-patch' ? 4 : 10;
}

function operationOf(raw: Record<string, unknown>, version: 4 | 10): { op: ImagePatchOp; pointer: unknown } {
  const available = OPERATIONS.join(', ');
  if (version === 10) {
    const op = raw['op'];
    if (op === undefined || op === null) {
      throw badRequest(`Unable to find \`op\` in JSON Schema change. It must be one of the following: ${available}.`);
    }
    if (!OPERATIONS.includes(op as ImagePatchOp)) {
      throw badRequest(`Invalid operation: \`${pyStr(op)}\`. It must be one of the following: ${available}.`);
    }
    if (!Object.hasOwn(raw, 'path')) throw badRequest("Unable to find 'path' in JSON Schema change");
    return { op: op as ImagePatchOp, pointer: raw['path'] };
  }
  const present = OPERATIONS.filter((name) => Object.hasOwn(raw, name));
  if (present.length > 1) throw badRequest('Operation objects must contain only one member named "add", "remove", or "replace".');
  const op = present[0];
  if (op === undefined) throw badRequest('Operation objects must contain exactly one member named "add", "remove", or "replace".');
  return { op, pointer: raw[op] };
}

/** Path depth glance allows: `/locations/N` for add and remove, one token for everything else. */
function allowedDepth(root: string | undefined, op: ImagePatchOp): number {
  return root === 'locations' && op !== 'replace' ? 2 : 1;
}

function validateChange(change: ImagePatchOperation): void {
  const root = change.path[0] ?? '';
  if (READ_ONLY.has(root)) throw GlanceError.readOnlyAttribute(root);
  if (isReservedPropertyName(root)) throw GlanceError.reservedAttribute(root);
  if (change.op === 'remove') return;
  let partial: Record<string, unknown> | null = null;
  if (change.path.length === 1) partial = { [root]: change.value };
  else if (root === 'locations') partial = { locations: [change.value] };
  if (partial !== null) {
    const invalid = schemaValidationMessage(partial, IMAGE_SCHEMA);
    if (invalid !== null) throw badRequest(invalid);
    if (!ATTRIBUTES.has(root) && root !== 'locations' && typeof change.value === 'string') enforcePropertyValueLength(change.value);
  }
}

/**
 * RequestDeserializer.update: the body must be a list of operation objects; each gets its op, a
 * valid JSON pointer of the right depth, a value (add, replace), and passes the read-only, reserved
 * and schema checks, all before anything is applied.
 */
export function parseImagePatch(body: unknown, options: ImagePatchOptions = {}): ImagePatchOperation[] {
  const version = patchVersion(options);
  if (!Array.isArray(body)) throw badRequest('Request body must be a JSON array of operation objects.');
  const changes: ImagePatchOperation[] = [];
  for (const raw of body) {
    if (!isJsonObject(raw)) throw badRequest('Operations must be JSON objects.');
    const { op, pointer } = operationOf(raw, version);
    if (typeof pointer !== 'string') throw badRequest(`Pointer \`${pyStr(pointer)}\` does not start with "/".`);
    const path = decodePointer(pointer);
    if (path.length !== allowedDepth(path[0], op)) throw badRequest(`Invalid JSON pointer for this resource: '/${path.join('/')}'`);
    const change: ImagePatchOperation = { op, path };
    if (op !== 'remove') {
      if (!Object.hasOwn(raw, 'value')) throw badRequest(`Operation "${op}" requires a member named "value".`);
      change.value = raw['value'];
    }
    validateChange(change);
    changes.push(change);
  }
  return changes;
}

function locationsError(op: ImagePatchOp, value: unknown): GlanceError {
  if (op === 'replace' && Array.isArray(value) && value.length === 0) {
    return GlanceError.forbidden('Cannot set locations to empty list.', { asDetail: true });
  }
  const verb = op === 'replace' ? 'update' : op;
  return GlanceError.forbidden(`It's not allowed to ${verb} locations if locations are invisible.`);
}

function setAttribute(fields: MutableImageFields, record: ImageRecord, name: string, value: unknown): void {
  switch (name) {
    case 'name':
      fields.name = value as string | null;
      return;
    case 'visibility':
      fields.visibility = value as Visibility;
      return;
    case 'protected':
      fields.protected = value as boolean;
      return;
    case 'os_hidden':
      fields.osHidden = value as boolean;
      return;
    case 'owner':
      fields.owner = value as string | null;
      return;
    case 'min_ram':
      enforceNonNegative('min_ram', value as number);
      fields.minRam = value as number;
      return;
    case 'min_disk':
      enforceNonNegative('min_disk', value as number);
      fields.minDisk = value as number;
      return;
    case 'disk_format':
    case 'container_format':
      if (record.status !== 'queued' && record.status !== 'importing') {
        throw GlanceError.forbidden(`Attribute ${name} can be only replaced for a queued image.`);
      }
      if (name === 'disk_format') fields.diskFormat = value as DiskFormat | null;
      else fields.containerFormat = value as ContainerFormat | null;
      return;
    case 'tags':
      enforceTagQuota(value as string[]);
      fields.tags = uniqueTags(value as string[]);
      return;
    default:
      throw new Error(`not an image attribute: ${name}`);
  }
}

function setProperty(fields: MutableImageFields, name: string, value: unknown): void {
  if (value === null && NULLABLE_CUSTOM.has(name)) delete fields.properties[name];
  else setOwnProperty(fields.properties, name, value as string);
}

/**
 * PATCH /v2/images/{id} (`application/openstack-images-v2.1-json-patch`, or v2.0 through
 * `options.contentType`): validates every operation (415 and 400/403 come before a deleted image's
 * 404, as in glance), then applies them in order to a copy of the image's mutable fields, as
 * glance's ImagesController.update does.
 *
 * - replace: an attribute, or an existing custom property; else 409 `Property X does not exist.`
 * - add: sets an attribute or adds/overwrites a custom property (v2.0: 409 if already present)
 * - remove: a custom property; an attribute is 403 `Property X may not be removed.`, a missing
 *   property 409 `Property X does not exist.`
 * - `/tags` is replaced as a whole list; `disk_format`/`container_format` only while queued (403)
 */
export function applyImagePatch(record: ImageRecord, ops: unknown, options: ImagePatchOptions = {}): MutableImageFields {
  const version = patchVersion(options);
  const changes = parseImagePatch(ops, options);
  assertImageExists(record);
  const fields: MutableImageFields = {
    name: record.name,
    visibility: record.visibility,
    protected: record.protected,
    osHidden: record.osHidden,
    diskFormat: record.diskFormat,
    containerFormat: record.containerFormat,
    minRam: record.minRam,
    minDisk: record.minDisk,
    owner: record.owner,
    tags: [...record.tags],
    properties: { ...record.properties },
  };
  for (const change of changes) {
    const root = change.path[0] ?? '';
    if (root === 'locations') throw locationsError(change.op, change.value);
    const isAttribute = ATTRIBUTES.has(root);
    const isProperty = Object.hasOwn(fields.properties, root);
    switch (change.op) {
      case 'replace':
        if (isAttribute) setAttribute(fields, record, root, change.value);
        else if (isProperty) setProperty(fields, root, change.value);
        else throw GlanceError.conflict(`Property ${root} does not exist.`, { asDetail: true });
        break;
      case 'add':
        if (version === 4 && (isAttribute || isProperty)) throw GlanceError.conflict(`Property ${root} already present.`, { asDetail: true });
        if (isAttribute) setAttribute(fields, record, root, change.value);
        else setProperty(fields, root, change.value);
        break;
      case 'remove':
        if (isAttribute) throw GlanceError.forbidden(`Property ${root} may not be removed.`, { asDetail: true });
        if (!isProperty) throw GlanceError.conflict(`Property ${root} does not exist.`, { asDetail: true });
        delete fields.properties[root];
        break;
    }
  }
  if (changes.length > 0) {
    const added = Object.keys(fields.properties).some((name) => !Object.hasOwn(record.properties, name));
    const count = Object.keys(fields.properties).length;
    if (added && count > IMAGE_PROPERTY_QUOTA) throw propertyQuotaError(count);
    enforceDbInts(fields.minDisk, fields.minRam);
  }
  return fields;
}
