import { GlanceError } from './glance-error.js';
import { toImageDocument, type ImageDocument } from './image-document.js';
import type { ImageRecord } from './image-record.js';
import { compareCodePoints, pyInt, pyUrlencode } from './py-format.js';

/** Sort keys glance accepts (RequestDeserializer._available_sort_keys). */
export const IMAGE_SORT_KEYS = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at'] as const;
export type ImageSortKey = (typeof IMAGE_SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

/** glance's `limit_param_default` and `api_limit_max`. */
export const LIST_LIMIT_DEFAULT = 25;
export const LIST_LIMIT_MAX = 1000;

export const MEMBER_STATUSES = ['pending', 'accepted', 'rejected', 'all'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

const LIST_VISIBILITIES = ['community', 'public', 'private', 'shared', 'all'];
/** Attributes filtered with `eq:` (the default) or `in:a,b,"c,d"`. */
const OPERATOR_ATTRIBUTES = ['name', 'id', 'status', 'container_format', 'disk_format'] as const;
type OperatorAttribute = (typeof OPERATOR_ATTRIBUTES)[number];
/** Numeric columns that `<column>_min` / `<column>_max` range over. */
const RANGE_COLUMNS = ['size', 'virtual_size', 'min_ram', 'min_disk'] as const;
type RangeColumn = (typeof RANGE_COLUMNS)[number];
/** Other columns a query parameter filters by equality. */
const EQUALITY_COLUMNS = ['owner', 'checksum', 'os_hash_algo', 'os_hash_value', 'size', 'virtual_size', 'min_ram', 'min_disk'] as const;
type EqualityColumn = (typeof EQUALITY_COLUMNS)[number];
const TIME_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'neq', 'eq'] as const;
type TimeOperator = (typeof TIME_OPERATORS)[number];

/** A filter from the query string besides visibility, os_hidden, protected and tag. */
export type ImageListFilter =
  | { kind: 'attribute'; key: OperatorAttribute; values: string[] }
  /** `key` null: a `*_min`/`*_max` over something that is not a numeric column (matches nothing). */
  | { kind: 'range'; key: RangeColumn | null; bound: 'min' | 'max'; value: number }
  | { kind: 'time'; key: 'created_at' | 'updated_at'; op: TimeOperator; at: number }
  | { kind: 'column'; key: EqualityColumn; value: string }
  | { kind: 'property'; key: string; value: string };

export interface ImageListQuery {
  /** Images per page: 25 unless asked, at most 1000. */
  limit: number;
  marker: string | null;
  /** As requested (default `created_at`); `listImages` appends `created_at` and `id` to break ties. */
  sortKeys: ImageSortKey[];
  /** One per key, or a single direction for all keys (default `desc`). */
  sortDirs: SortDirection[];
  memberStatus: MemberStatus;
  /** null: glance's default, every visibility but `community`. */
  visibility: string | null;
  /** Hidden images are listed only with `os_hidden=true` (and then only they are). */
  osHidden: boolean;
  protected: boolean | null;
  /** Every one must be on the image. */
  tags: string[];
  filters: ImageListFilter[];
  /** The query's parameters in order, for the `first` and `next` links. */
  params: Array<[string, string]>;
}

export interface ImageListPage {
  images: ImageDocument[];
  first: string;
  schema: '/v2/schemas/images';
  /** Present whenever the page is full: the query with `marker` set to the page's last image. */
  next?: string;
}

export interface ListImagesOptions {
  /** Where the collection lives, for `first` and `next` (default `/v2/images`). */
  basePath?: string;
  /** The caller's project: its own community images are listed without asking, as glance does. */
  owner?: string | null;
  /**
   * The records are in glance's default order (compareInDefaultOrder): a query in that order then
   * reads them only as far as its page, instead of sorting them all.
   */
  inDefaultOrder?: boolean;
}

function badRequest(message: string): GlanceError {
  return GlanceError.badRequest(message);
}

const ISO8601 =
  /^(\d{4})(?:(?:-(\d{1,2})|(\d{2})(?!$))(?:(?:-(\d{1,2})|(\d{2}))(?:[ T](\d{2})(?::?(\d{2}))?(?::?(\d{1,2})(?:[.,](\d+))?)?(Z|([-+])(\d{2}):?(\d{2})?)?)?)?)?$/;

/** glance.common.timeutils.parse_isotime (the iso8601 library; no zone means UTC): epoch ms, or null. */
export function parseIsoTime(text: string): number | null {
  const match = ISO8601.exec(text);
  if (!match) return null;
  const number = (index: number, fallback: number): number => (match[index] === undefined ? fallback : Number(match[index]));
  const year = number(1, 0);
  const month = number(2, number(3, 1));
  const day = number(4, number(5, 1));
  const hour = number(6, 0);
  const minute = number(7, 0);
  const second = number(8, 0);
  const fraction = match[9] === undefined ? 0 : Number(`0.${match[9]}`);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const at = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(fraction * 1000);
  if (new Date(at).getUTCDate() !== day) return null;
  let offset = 0;
  if (match[11] !== undefined) {
    const zoneHours = number(12, 0);
    const zoneMinutes = number(13, 0);
    if (zoneHours > 23 || zoneMinutes > 59) return null;
    offset = (match[11] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes) * 60_000;
  }
  return at - offset;
}

/** glance.common.utils.split_filter_op: `op:value`, `eq` when there is no operator (or it is a timestamp). */
function splitFilterOperator(expression: string): [string, string] {
  const colon = expression.indexOf(':');
  if (colon < 0 || parseIsoTime(expression) !== null) return ['eq', expression];
  return [expression.slice(0, colon), expression.slice(colon + 1)];
}

/** glance.common.utils.validate_quotes + split_filter_value_for_quotes (the `in:` list). */
function splitQuotedValues(value: string): string[] {
  let open = true;
  for (let index = 0; index < value.length; index += 1) {
    if (value[index] !== '"') continue;
    if (index > 0 && value[index - 1] === '\\') continue;
    if (open) {
      if (index > 0 && value[index - 1] !== ',') throw badRequest(`Invalid filter value ${value}. There is no comma before opening quotation mark.`);
    } else if (index + 1 !== value.length && value[index + 1] !== ',') {
      throw badRequest(`Invalid filter value ${value}. There is no comma after closing quotation mark.`);
    }
    open = !open;
  }
  if (!open) throw badRequest(`Invalid filter value ${value}. The quote is not closed.`);
  return [...value.matchAll(/"([^"\\]*(?:\\.[^"\\]*)*)",?|([^,]+),?|,/g)].map((match) => match[1] || match[2] || '');
}

function validateSortKey(key: string): ImageSortKey {
  if (!(IMAGE_SORT_KEYS as readonly string[]).includes(key)) {
    throw badRequest(`Invalid sort key: ${key}. It must be one of the following: ${IMAGE_SORT_KEYS.join(', ')}.`);
  }
  return key as ImageSortKey;
}

function validateSortDir(direction: string): SortDirection {
  if (direction !== 'asc' && direction !== 'desc') throw badRequest(`Invalid sort direction: ${direction}`);
  return direction;
}

class Params {
  readonly remaining: Array<[string, string]>;

  constructor(pairs: Array<[string, string]>) {
    this.remaining = [...pairs];
  }

  has(name: string): boolean {
    return this.remaining.some(([key]) => key === name);
  }

  /** MultiDict.pop: the first value. */
  popFirst(name: string): string | undefined {
    const index = this.remaining.findIndex(([key]) => key === name);
    if (index < 0) return undefined;
    const [[, value]] = this.remaining.splice(index, 1) as [[string, string]];
    return value;
  }

  popAll(name: string): string[] {
    const values: string[] = [];
    for (let value = this.popFirst(name); value !== undefined; value = this.popFirst(name)) values.push(value);
    return values;
  }

  /** MultiDict.get: the last value. */
  last(name: string): string | undefined {
    return this.remaining.findLast(([key]) => key === name)?.[1];
  }
}

function parseSorting(params: Params): { sortKeys: ImageSortKey[]; sortDirs: SortDirection[] } {
  const sortKeys: ImageSortKey[] = [];
  const sortDirs: SortDirection[] = [];
  if (params.has('sort')) {
    if (params.has('sort_key') || params.has('sort_dir')) throw badRequest('Old and new sorting syntax cannot be combined');
    for (const part of (params.popFirst('sort') ?? '').trim().split(',')) {
      const colon = part.indexOf(':');
      const key = colon < 0 ? part : part.slice(0, colon);
      const direction = colon < 0 ? '' : part.slice(colon + 1);
      sortKeys.push(validateSortKey(key.trim()));
      sortDirs.push(validateSortDir(direction === '' ? 'desc' : direction.trim()));
    }
  } else {
    for (const key of params.popAll('sort_key')) sortKeys.push(validateSortKey(key.trim()));
    for (const direction of params.popAll('sort_dir')) sortDirs.push(validateSortDir(direction.trim()));
    if (sortDirs.length > 1 && sortDirs.length !== sortKeys.length) throw badRequest('Number of sort dirs does not match the number of sort keys');
  }
  return { sortKeys: sortKeys.length > 0 ? sortKeys : ['created_at'], sortDirs: sortDirs.length > 0 ? sortDirs : ['desc'] };
}

/** The remaining parameters as glance's DB layer reads them: one value per name (the last), first-seen order. */
function parseFilters(params: Params): ImageListFilter[] {
  const values = new Map<string, string>();
  for (const [key, value] of params.remaining) values.set(key, value);
  for (const handled of ['visibility', 'os_hidden', 'protected', 'changes-since', 'deleted']) values.delete(handled);
  const filters: ImageListFilter[] = [];
  for (const [key, value] of values) {
    if (key.endsWith('_min') || key.endsWith('_max')) {
      const bound = pyInt(value);
      if (bound === null) throw badRequest('Unable to filter on a range with a non-numeric value.');
      const column = key.slice(0, -4);
      const rangeKey = (RANGE_COLUMNS as readonly string[]).includes(column) ? (column as RangeColumn) : null;
      filters.push({ kind: 'range', key: rangeKey, bound: key.endsWith('_min') ? 'min' : 'max', value: bound });
    } else if (key === 'created_at' || key === 'updated_at') {
      const [op, timestamp] = splitFilterOperator(value);
      const at = parseIsoTime(timestamp);
      if (at === null) throw badRequest(`Bad "${key}" query filter format. Use ISO 8601 DateTime notation.`);
      if (!(TIME_OPERATORS as readonly string[]).includes(op)) throw badRequest('Unable to filter on a unknown operator.');
      filters.push({ kind: 'time', key, op: op as TimeOperator, at });
    } else if ((OPERATOR_ATTRIBUTES as readonly string[]).includes(key)) {
      const [op, operand] = splitFilterOperator(value);
      if (op === 'in') filters.push({ kind: 'attribute', key: key as OperatorAttribute, values: splitQuotedValues(operand) });
      else if (op === 'eq') filters.push({ kind: 'attribute', key: key as OperatorAttribute, values: [operand] });
      else throw badRequest(`Unable to filter by unknown operator '${op}'.`);
    } else if ((EQUALITY_COLUMNS as readonly string[]).includes(key)) {
      filters.push({ kind: 'column', key: key as EqualityColumn, value });
    } else {
      filters.push({ kind: 'property', key, value });
    }
  }
  return filters;
}

/**
 * GET /v2/images query parameters, validated in glance's order (visibility, member_status, limit,
 * sorting, os_hidden, protected, then the filters). Raises GlanceError 400 with glance's messages.
 */
export function parseListQuery(query: URLSearchParams): ImageListQuery {
  const pairs = [...query.entries()];
  const params = new Params(pairs);
  const limitText = params.popFirst('limit');
  const marker = params.popFirst('marker') ?? null;
  const memberStatus = params.popFirst('member_status') ?? 'accepted';
  const tags = params.popAll('tag').map((tag) => tag.trim());

  const visibility = params.last('visibility');
  if (visibility && !LIST_VISIBILITIES.includes(visibility)) throw badRequest(`Invalid visibility value: ${visibility}`);
  if (params.last('changes-since')) throw badRequest('The "changes-since" filter is no longer available on v2.');
  if (!(MEMBER_STATUSES as readonly string[]).includes(memberStatus)) throw badRequest(`Invalid status: ${memberStatus}`);

  let limit = LIST_LIMIT_DEFAULT;
  if (limitText !== undefined) {
    const requested = pyInt(limitText);
    if (requested === null) throw badRequest('limit param must be an integer');
    if (requested < 0) throw badRequest('limit param must be positive');
    limit = Math.min(LIST_LIMIT_MAX, requested);
  }

  const { sortKeys, sortDirs } = parseSorting(params);

  const osHidden = (params.last('os_hidden') ?? 'false').toLowerCase();
  if (osHidden !== 'true' && osHidden !== 'false') {
    throw badRequest(`Invalid value '${osHidden}' for 'os_hidden' filter. Valid values are 'true' or 'false'.`);
  }
  const isProtected = params.last('protected');
  if (isProtected !== undefined && isProtected !== 'true' && isProtected !== 'false') {
    throw badRequest(`Invalid value '${isProtected}' for 'protected' filter. Valid values are 'true' or 'false'.`);
  }

  return {
    limit,
    marker,
    sortKeys,
    sortDirs,
    memberStatus: memberStatus as MemberStatus,
    visibility: visibility ?? null,
    osHidden: osHidden === 'true',
    protected: isProtected === undefined ? null : isProtected === 'true',
    tags,
    filters: parseFilters(params),
    params: pairs,
  };
}

/** Statuses of images glance never lists (deleted rows, and `killed`). */
const UNLISTED = new Set(['deleted', 'pending_delete', 'killed']);
/** Statuses of rows glance counts as deleted (a marker must not be one). */
const DELETED = new Set(['deleted', 'pending_delete']);

/**
 * The parsed timestamps of records, kept as long as the record lives: records are never changed in
 * place (a change makes a new one), so listing thousands of images again parses none of them again.
 */
const parsedTimes = new WeakMap<ImageRecord, { createdAt: number; updatedAt: number }>();

function timesOf(record: ImageRecord): { createdAt: number; updatedAt: number } {
  let times = parsedTimes.get(record);
  if (times === undefined) {
    times = { createdAt: Date.parse(record.createdAt), updatedAt: Date.parse(record.updatedAt) };
    parsedTimes.set(record, times);
  }
  return times;
}

function secondsOf(time: number): number {
  return Math.floor(time / 1000) * 1000;
}

function columnValue(record: ImageRecord, key: EqualityColumn | RangeColumn): string | number | null {
  switch (key) {
    case 'owner':
      return record.owner;
    case 'checksum':
      return record.checksum;
    case 'os_hash_algo':
      return record.osHashAlgo;
    case 'os_hash_value':
      return record.osHashValue;
    case 'size':
      return record.size;
    case 'virtual_size':
      return record.virtualSize;
    case 'min_ram':
      return record.minRam;
    case 'min_disk':
      return record.minDisk;
  }
}

function attributeValue(record: ImageRecord, key: OperatorAttribute): string | null {
  switch (key) {
    case 'name':
      return record.name;
    case 'id':
      return record.id;
    case 'status':
      return record.status;
    case 'container_format':
      return record.containerFormat;
    case 'disk_format':
      return record.diskFormat;
  }
}

function matchesFilter(record: ImageRecord, filter: ImageListFilter): boolean {
  switch (filter.kind) {
    case 'attribute': {
      const value = attributeValue(record, filter.key);
      return value !== null && filter.values.includes(value);
    }
    case 'range': {
      if (filter.key === null) return false;
      const value = columnValue(record, filter.key);
      if (typeof value !== 'number') return false;
      return filter.bound === 'min' ? value >= filter.value : value <= filter.value;
    }
    case 'time': {
      const value = secondsOf(filter.key === 'created_at' ? timesOf(record).createdAt : timesOf(record).updatedAt);
      switch (filter.op) {
        case 'gt':
          return value > filter.at;
        case 'gte':
          return value >= filter.at;
        case 'lt':
          return value < filter.at;
        case 'lte':
          return value <= filter.at;
        case 'neq':
          return value !== filter.at;
        case 'eq':
          return value === filter.at;
      }
      return false;
    }
    case 'column': {
      const value = columnValue(record, filter.key);
      if (value === null) return false;
      if (typeof value === 'number') {
        const wanted = filter.value.trim() === '' ? Number.NaN : Number(filter.value);
        return wanted === value;
      }
      return value === filter.value;
    }
    case 'property':
      return Object.hasOwn(record.properties, filter.key) && record.properties[filter.key] === filter.value;
  }
}

/** Does the image belong in the listing, before paging? `owner`: the caller's project, whose community images are listed by default. */
export function matchesListQuery(record: ImageRecord, query: ImageListQuery, owner: string | null = null): boolean {
  if (UNLISTED.has(record.status)) return false;
  if (query.visibility === null) {
    if (record.visibility === 'community' && (owner === null || record.owner !== owner)) return false;
  } else if (query.visibility !== 'all' && record.visibility !== query.visibility) return false;
  if (record.osHidden !== query.osHidden) return false;
  if (query.protected !== null && record.protected !== query.protected) return false;
  if (!query.tags.every((tag) => record.tags.includes(tag))) return false;
  return query.filters.every((filter) => matchesFilter(record, filter));
}

function sortValue(record: ImageRecord, key: ImageSortKey): string | number {
  switch (key) {
    case 'name':
      return record.name ?? '';
    case 'status':
      return record.status;
    case 'container_format':
      return record.containerFormat ?? '';
    case 'disk_format':
      return record.diskFormat ?? '';
    case 'size':
      return record.size ?? 0;
    case 'id':
      return record.id;
    case 'created_at':
      return timesOf(record).createdAt;
    case 'updated_at':
      return timesOf(record).updatedAt;
  }
}

/**
 * The order glance lists in: the requested keys, then `created_at` and `id` (in the single requested
 * direction, else `desc`) so that every image has a distinct place and paging by marker is stable.
 * Missing values sort as glance's pagination treats them: '' for text, 0 for sizes.
 */
/** The sort keys and directions a query asks for, completed with created_at and id (glance's tie-breakers). */
function sortOrder(query: Pick<ImageListQuery, 'sortKeys' | 'sortDirs'>): { keys: ImageSortKey[]; directions: SortDirection[] } {
  const keys = [...query.sortKeys];
  let defaultDirection: SortDirection = 'desc';
  let directions: SortDirection[];
  if (query.sortDirs.length === 0) directions = keys.map(() => 'desc');
  else if (query.sortDirs.length === 1) {
    defaultDirection = query.sortDirs[0] ?? 'desc';
    directions = keys.map(() => defaultDirection);
  } else directions = [...query.sortDirs];
  for (const key of ['created_at', 'id'] as const) {
    if (!keys.includes(key)) {
      keys.push(key);
      directions.push(defaultDirection);
    }
  }
  return { keys, directions };
}

function compareSortValues(directions: readonly SortDirection[], left: readonly (string | number)[], right: readonly (string | number)[]): number {
  for (let index = 0; index < left.length; index += 1) {
    const a = left[index] as string | number;
    const b = right[index] as string | number;
    const order = typeof a === 'number' && typeof b === 'number' ? Math.sign(a - b) : compareCodePoints(String(a), String(b));
    if (order !== 0) return directions[index] === 'asc' ? order : -order;
  }
  return 0;
}

export function imageListComparator(query: Pick<ImageListQuery, 'sortKeys' | 'sortDirs'>): (a: ImageRecord, b: ImageRecord) => number {
  const { keys, directions } = sortOrder(query);
  return (a, b) => compareSortValues(directions, keys.map((key) => sortValue(a, key)), keys.map((key) => sortValue(b, key)));
}

/** Glance's default listing order (created_at, then id, both descending), which `inDefaultOrder` records follow. */
export const compareInDefaultOrder = imageListComparator({ sortKeys: ['created_at'], sortDirs: ['desc'] });

function link(basePath: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.length === 0 ? basePath : `${basePath}?${pyUrlencode(pairs)}`;
}

/**
 * GET /v2/images: the page glance returns for `query` over `records` (an admin's view, as the
 * no-auth service has): deleted and killed images never, community ones only when asked for (or owned by `options.owner`), hidden
 * ones only with `os_hidden=true`; sorted; after `marker` (which must be an existing image, else 400
 * `No image found with ID ...`); at most `limit` images, with `next` when the page is full.
 */
export function listImages(records: readonly ImageRecord[], query: ImageListQuery | URLSearchParams, options: ListImagesOptions = {}): ImageListPage {
  const parsed = query instanceof URLSearchParams ? parseListQuery(query) : query;
  const basePath = options.basePath ?? '/v2/images';
  const { keys, directions } = sortOrder(parsed);
  const page =
    options.inDefaultOrder && isDefaultOrder(keys, directions) ? firstInOrder(records, parsed, options.owner ?? null) : sortedPage(records, parsed, options.owner ?? null, keys, directions);
  const linkParams = parsed.params.filter(([key]) => key !== 'marker');
  const result: ImageListPage = { images: page.map(toImageDocument), first: link(basePath, linkParams), schema: '/v2/schemas/images' };
  const last = page.at(-1);
  if (last !== undefined && page.length === parsed.limit) result.next = link(basePath, [...linkParams, ['marker', last.id]]);
  return result;
}

/** The page of a query: every matching record sorted, those after the marker, at most `limit`. */
function sortedPage(records: readonly ImageRecord[], parsed: ImageListQuery, owner: string | null, keys: ImageSortKey[], directions: SortDirection[]): ImageRecord[] {
  // Each record's sort values are computed once (timestamps are parsed), not in every comparison.
  const valuesOf = (record: ImageRecord) => {
    const values: (string | number)[] = new Array(keys.length);
    for (let index = 0; index < keys.length; index += 1) values[index] = sortValue(record, keys[index] as ImageSortKey);
    return values;
  };
  let candidates = records
    .filter((record) => matchesListQuery(record, parsed, owner))
    .map((record) => ({ record, values: valuesOf(record) }))
    .sort((a, b) => compareSortValues(directions, a.values, b.values));
  if (parsed.marker !== null) {
    const marker = parsed.marker;
    if (marker.length > 36) throw badRequest('Image with the given id %(image_id)s was not found');
    const markerImage = records.find((record) => record.id === marker && !DELETED.has(record.status));
    if (markerImage === undefined) throw badRequest(`No image found with ID ${marker}`);
    const markerValues = valuesOf(markerImage);
    candidates = candidates.filter((candidate) => compareSortValues(directions, candidate.values, markerValues) > 0);
  }
  return candidates.slice(0, parsed.limit).map((candidate) => candidate.record);
}

/**
 * The same page from records already in the query's order: those after the marker (the order is
 * total, so "after it in the list" is "after it in the order"), matching, at most `limit`.
 */
function firstInOrder(records: readonly ImageRecord[], parsed: ImageListQuery, owner: string | null): ImageRecord[] {
  const marker = parsed.marker;
  if (marker !== null && marker.length > 36) throw badRequest('Image with the given id %(image_id)s was not found');
  let afterMarker = marker === null;
  const page: ImageRecord[] = [];
  for (const record of records) {
    if (!afterMarker) {
      afterMarker = record.id === marker && !DELETED.has(record.status);
      continue;
    }
    if (page.length >= parsed.limit) break;
    if (matchesListQuery(record, parsed, owner)) page.push(record);
  }
  if (!afterMarker) throw badRequest(`No image found with ID ${marker}`);
  return page;
}

function isDefaultOrder(keys: readonly ImageSortKey[], directions: readonly SortDirection[]): boolean {
  return keys.length === 2 && keys[0] === 'created_at' && keys[1] === 'id' && directions[0] === 'desc' && directions[1] === 'desc';
}
