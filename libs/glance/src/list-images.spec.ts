import { describe, expect, it } from '@jest/globals';
import { GlanceError } from './glance-error.js';
import type { ImageRecord } from './image-record.js';
import { compareInDefaultOrder, LIST_LIMIT_DEFAULT, listImages, parseIsoTime, parseListQuery, type ImageListPage } from './list-images.js';

let counter = 0;

/** Ids sort as their number: 00000000-0000-4000-8000-0000000000NN. */
function idOf(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function image(overrides: Partial<ImageRecord> = {}): ImageRecord {
  counter += 1;
  return {
    id: idOf(counter),
    name: `image-${counter}`,
    status: 'active',
    visibility: 'shared',
    protected: false,
    osHidden: false,
    diskFormat: 'raw',
    containerFormat: 'bare',
    size: 1000,
    virtualSize: 1000,
    checksum: null,
    osHashAlgo: null,
    osHashValue: null,
    minRam: 0,
    minDisk: 0,
    owner: null,
    tags: [],
    properties: {},
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    fileName: 'data',
    ...overrides,
  };
}

function list(records: ImageRecord[], query: string): ImageListPage {
  return listImages(records, new URLSearchParams(query));
}

function names(page: ImageListPage): Array<string | null> {
  return page.images.map((document) => document.name);
}

function badRequest(records: ImageRecord[], query: string): string {
  try {
    list(records, query);
  } catch (error) {
    if (error instanceof GlanceError && error.status === 400) return error.message;
    throw error;
  }
  throw new Error(`expected 400 for ${query}`);
}

/** Follows `next` links as glanceclient does (the path relative to the endpoint, verbatim). */
function allPages(records: ImageRecord[], query: string): ImageListPage[] {
  const pages = [list(records, query)];
  for (let next = pages[0]?.next; next !== undefined; next = pages.at(-1)?.next) {
    const url = new URL(next, 'http://glance:9292');
    expect(url.pathname).toBe('/v2/images');
    pages.push(listImages(records, url.searchParams));
    if (pages.length > 100) throw new Error('no end to the pages');
  }
  return pages;
}

describe('parseListQuery', () => {
  it('defaults as glance does', () => {
    expect(parseListQuery(new URLSearchParams())).toEqual({
      limit: LIST_LIMIT_DEFAULT,
      marker: null,
      sortKeys: ['created_at'],
      sortDirs: ['desc'],
      memberStatus: 'accepted',
      visibility: null,
      osHidden: false,
      protected: null,
      tags: [],
      filters: [],
      params: [],
    });
  });

  it('reads the CLI\'s query (glance-wire §2.2)', () => {
    const query = parseListQuery(new URLSearchParams('limit=200&sort_key=name&sort_dir=asc'));
    expect(query).toMatchObject({ limit: 200, sortKeys: ['name'], sortDirs: ['asc'] });
  });

  it('reads the new sort syntax', () => {
    expect(parseListQuery(new URLSearchParams('sort=name:asc,size:desc,status'))).toMatchObject({
      sortKeys: ['name', 'size', 'status'],
      sortDirs: ['asc', 'desc', 'desc'],
    });
  });

  it('reads filters into their kinds', () => {
    const query = parseListQuery(
      new URLSearchParams('name=in:a,"b,c"&size_min=10&created_at=gte:2026-01-01T00:00:00Z&owner=p&os_distro=debian&tag=x&tag=y&protected=true&os_hidden=TRUE'),
    );
    expect(query.tags).toEqual(['x', 'y']);
    expect(query.protected).toBe(true);
    expect(query.osHidden).toBe(true);
    expect(query.filters).toEqual([
      { kind: 'attribute', key: 'name', values: ['a', 'b,c'] },
      { kind: 'range', key: 'size', bound: 'min', value: 10 },
      { kind: 'time', key: 'created_at', op: 'gte', at: Date.UTC(2026, 0, 1) },
      { kind: 'column', key: 'owner', value: 'p' },
      { kind: 'property', key: 'os_distro', value: 'debian' },
    ]);
  });
});

describe('listImages: limit and paging', () => {
  const records = Array.from({ length: 5 }, () => image());

  it('answers the CLI\'s first page with first and schema, no next when not full (glance-wire §2.2)', () => {
    const page = list(records, 'limit=200&sort_key=name&sort_dir=asc');
    expect(page.first).toBe('/v2/images?limit=200&sort_key=name&sort_dir=asc');
    expect(page.schema).toBe('/v2/schemas/images');
    expect(page.next).toBeUndefined();
    expect(page.images).toHaveLength(5);
    expect(Object.keys(page)).toEqual(['images', 'first', 'schema']);
  });

  it('adds next, with the marker last, whenever a page is full', () => {
    const page = list(records, 'limit=2&sort_key=name&sort_dir=asc');
    expect(names(page)).toEqual(['image-1', 'image-2']);
    expect(page.next).toBe(`/v2/images?limit=2&sort_key=name&sort_dir=asc&marker=${page.images[1]?.id}`);
  });

  it('pages through everything exactly once, ending with an empty page after an exactly full one', () => {
    const pages = allPages(records, 'limit=2&sort_key=name&sort_dir=asc');
    expect(pages.map(names)).toEqual([['image-1', 'image-2'], ['image-3', 'image-4'], ['image-5']]);
    const exact = allPages(records, 'limit=5&sort_key=name&sort_dir=asc');
    expect(exact.map(names)).toEqual([['image-1', 'image-2', 'image-3', 'image-4', 'image-5'], []]);
    expect(exact[1]?.next).toBeUndefined();
    expect(exact[1]?.first).toBe('/v2/images?limit=5&sort_key=name&sort_dir=asc');
  });

  it('defaults to 25 and caps at 1000', () => {
    const many = Array.from({ length: 1001 }, () => image());
    expect(list(many, '').images).toHaveLength(25);
    expect(list(many, '').first).toBe('/v2/images');
    expect(list(many, 'limit=5000').images).toHaveLength(1000);
    expect(list(many, 'limit=5000').next).toContain('limit=5000&marker=');
  });

  it('answers limit=0 with an empty page and no next', () => {
    const page = list(records, 'limit=0');
    expect(page.images).toEqual([]);
    expect(page.next).toBeUndefined();
  });

  it('refuses bad limits', () => {
    expect(badRequest(records, 'limit=abc')).toBe('limit param must be an integer');
    expect(badRequest(records, 'limit=1.5')).toBe('limit param must be an integer');
    expect(badRequest(records, 'limit=')).toBe('limit param must be an integer');
    expect(badRequest(records, 'limit=-1')).toBe('limit param must be positive');
  });

  it('pages by the marker\'s sort values, so a marker outside the filter still works', () => {
    const hidden = records[2] as ImageRecord;
    const others = records.map((record) => (record === hidden ? { ...record, osHidden: true } : record));
    const page = list(others, `sort_key=name&sort_dir=asc&marker=${hidden.id}`);
    expect(names(page)).toEqual(['image-4', 'image-5']);
  });

  it('refuses a marker that is not an image', () => {
    expect(badRequest(records, `marker=${idOf(999999)}`)).toBe(`No image found with ID ${idOf(999999)}`);
    const gone = image({ status: 'deleted' });
    expect(badRequest([...records, gone], `marker=${gone.id}`)).toBe(`No image found with ID ${gone.id}`);
    expect(badRequest(records, `marker=${'x'.repeat(37)}`)).toBe('Image with the given id %(image_id)s was not found');
  });

  it('keeps every parameter in first and next, repeats included, quoted as Python does', () => {
    const tagged = Array.from({ length: 3 }, () => image({ tags: ['a b', 'c'] }));
    const page = list(tagged, `tag=a+b&tag=c&limit=1&marker=${tagged[0]?.id}&sort=name:asc`);
    expect(names(page)).toEqual([tagged[1]?.name]);
    expect(page.first).toBe('/v2/images?tag=a+b&tag=c&limit=1&sort=name%3Aasc');
    expect(page.next).toBe(`/v2/images?tag=a+b&tag=c&limit=1&sort=name%3Aasc&marker=${page.images[0]?.id}`);
    expect(allPages(tagged, 'tag=a+b&tag=c&limit=1&sort=name:asc').flatMap(names)).toHaveLength(3);
  });

  it('builds links under another base path', () => {
    expect(listImages(records, new URLSearchParams('limit=1'), { basePath: '/image/v2/images' }).next).toMatch(/^\/image\/v2\/images\?limit=1&marker=/);
  });
});

describe('listImages: sorting', () => {
  it('sorts by created_at desc, then id desc, by default', () => {
    const at = '2026-02-02T00:00:00.000Z';
    const a = image({ createdAt: at, name: 'a' });
    const b = image({ createdAt: at, name: 'b' });
    const older = image({ createdAt: '2026-01-01T00:00:00.000Z', name: 'older' });
    const newer = image({ createdAt: '2026-03-03T00:00:00.000Z', name: 'newer' });
    expect(names(list([older, a, newer, b], ''))).toEqual(['newer', 'b', 'a', 'older']);
  });

  it('breaks ties with created_at and id in the single requested direction', () => {
    const same = ['x', 'x', 'x'].map((name) => image({ name, createdAt: '2026-04-04T00:00:00.000Z' }));
    const ids = same.map((record) => record.id);
    expect(list(same, 'sort_key=name&sort_dir=asc').images.map((document) => document.id)).toEqual(ids);
    expect(list(same, 'sort_key=name').images.map((document) => document.id)).toEqual([...ids].reverse());
    expect(list(same, 'sort=name:asc,status:asc').images.map((document) => document.id)).toEqual([...ids].reverse());
    const pages = allPages(same, 'sort_key=name&sort_dir=asc&limit=1');
    expect(pages.flatMap((page) => page.images.map((document) => document.id))).toEqual(ids);
  });

  it('sorts by several keys and directions, missing values as empty or zero', () => {
    const records = [
      image({ name: 'b', size: 5 }),
      image({ name: 'a', size: 7 }),
      image({ name: 'b', size: 9 }),
      image({ name: null, size: null }),
    ];
    expect(list(records, 'sort=name:asc,size:desc').images.map((document) => [document.name, document.size])).toEqual([
      [null, null],
      ['a', 7],
      ['b', 9],
      ['b', 5],
    ]);
    expect(list(records, 'sort_key=size&sort_key=name&sort_dir=asc&sort_dir=asc').images.map((document) => document.size)).toEqual([null, 5, 7, 9]);
    expect(names(list([image({ name: 'B' }), image({ name: 'a' })], 'sort_key=name&sort_dir=asc'))).toEqual(['B', 'a']);
  });

  it('refuses bad sorting with glance\'s messages', () => {
    const records = [image()];
    expect(badRequest(records, 'sort_key=owner')).toBe(
      'Invalid sort key: owner. It must be one of the following: name, status, container_format, disk_format, size, id, created_at, updated_at.',
    );
    expect(badRequest(records, 'sort_dir=up')).toBe('Invalid sort direction: up');
    expect(badRequest(records, 'sort_key=name&sort_key=size&sort_key=id&sort_dir=asc&sort_dir=desc')).toBe(
      'Number of sort dirs does not match the number of sort keys',
    );
    expect(badRequest(records, 'sort=name:asc&sort_key=size')).toBe('Old and new sorting syntax cannot be combined');
    expect(badRequest(records, 'sort=name:up')).toBe('Invalid sort direction: up');
    expect(badRequest(records, 'sort=bogus')).toMatch(/^Invalid sort key: bogus\./);
  });
});

describe('listImages: filters', () => {
  it('never lists deleted or killed images', () => {
    const records = [image({ name: 'ok' }), image({ status: 'deleted' }), image({ status: 'pending_delete' }), image({ status: 'killed' }), image({ name: 'q', status: 'queued' })];
    expect(names(list(records, 'sort_key=name&sort_dir=asc'))).toEqual(['ok', 'q']);
    expect(names(list(records, 'status=killed'))).toEqual([]);
  });

  it('hides community images unless asked, and filters by visibility', () => {
    const records = (['public', 'private', 'shared', 'community'] as const).map((visibility) => image({ name: visibility, visibility }));
    expect(names(list(records, 'sort_key=name&sort_dir=asc'))).toEqual(['private', 'public', 'shared']);
    expect(names(list(records, 'visibility=community'))).toEqual(['community']);
    expect(names(list(records, 'visibility=all&sort_key=name&sort_dir=asc'))).toEqual(['community', 'private', 'public', 'shared']);
    expect(badRequest(records, 'visibility=everyone')).toBe('Invalid visibility value: everyone');
  });

  it("lists the caller's own community images without asking, and nobody else's", () => {
    const records = [image({ name: 'mine', visibility: 'community', owner: 'p1' }), image({ name: 'theirs', visibility: 'community', owner: 'p2' })];
    expect(names(listImages(records, new URLSearchParams(''), { owner: 'p1' }))).toEqual(['mine']);
    expect(names(listImages(records, new URLSearchParams(''), { owner: null }))).toEqual([]);
  });

  it('hides hidden images unless os_hidden=true, which lists only them', () => {
    const records = [image({ name: 'seen' }), image({ name: 'hidden', osHidden: true })];
    expect(names(list(records, ''))).toEqual(['seen']);
    expect(names(list(records, 'os_hidden=true'))).toEqual(['hidden']);
    expect(names(list(records, 'os_hidden=False'))).toEqual(['seen']);
    expect(badRequest(records, 'os_hidden=Maybe')).toBe("Invalid value 'maybe' for 'os_hidden' filter. Valid values are 'true' or 'false'.");
  });

  it('filters by protected', () => {
    const records = [image({ name: 'p', protected: true }), image({ name: 'u' })];
    expect(names(list(records, 'protected=true'))).toEqual(['p']);
    expect(names(list(records, 'protected=false'))).toEqual(['u']);
    expect(badRequest(records, 'protected=True')).toBe("Invalid value 'True' for 'protected' filter. Valid values are 'true' or 'false'.");
  });

  it('wants every tag', () => {
    const records = [image({ name: 'ab', tags: ['a', 'b'] }), image({ name: 'a', tags: ['a'] })];
    expect(names(list(records, 'tag=a&sort_key=name&sort_dir=asc'))).toEqual(['a', 'ab']);
    expect(names(list(records, 'tag=a&tag=b'))).toEqual(['ab']);
    expect(names(list(records, 'tag=+b+'))).toEqual(['ab']);
  });

  it('filters by name, status, formats, with eq and in', () => {
    const records = [
      image({ name: 'one', diskFormat: 'qcow2' }),
      image({ name: 'two', containerFormat: 'ovf', status: 'queued' }),
      image({ name: 'a:b' }),
      image({ name: null }),
    ];
    expect(names(list(records, 'name=one'))).toEqual(['one']);
    expect(names(list(records, 'name=in:one,two&sort_key=name&sort_dir=asc'))).toEqual(['one', 'two']);
    expect(names(list(records, 'name=eq:a:b'))).toEqual(['a:b']);
    expect(names(list(records, 'disk_format=qcow2'))).toEqual(['one']);
    expect(names(list(records, 'container_format=ovf'))).toEqual(['two']);
    expect(names(list(records, 'status=queued'))).toEqual(['two']);
    expect(names(list(records, `id=${records[0]?.id}`))).toEqual(['one']);
    expect(badRequest(records, 'name=a:b')).toBe("Unable to filter by unknown operator 'a'.");
    expect(badRequest(records, 'name=in:"a')).toBe('Invalid filter value "a. The quote is not closed.');
    expect(badRequest(records, 'name=in:x"a"')).toBe('Invalid filter value x"a". There is no comma before opening quotation mark.');
    expect(badRequest(records, 'name=in:"a"x')).toBe('Invalid filter value "a"x. There is no comma after closing quotation mark.');
  });

  it('filters by size range, leaving out images without a size', () => {
    const records = [image({ name: 's', size: 10 }), image({ name: 'm', size: 100 }), image({ name: 'l', size: 1000 }), image({ name: 'none', size: null })];
    expect(names(list(records, 'size_min=50&sort_key=size&sort_dir=asc'))).toEqual(['m', 'l']);
    expect(names(list(records, 'size_max=100&sort_key=size&sort_dir=asc'))).toEqual(['s', 'm']);
    expect(names(list(records, 'size_min=50&size_max=500'))).toEqual(['m']);
    expect(names(list(records, 'size_max=-1'))).toEqual([]);
    expect(badRequest(records, 'size_min=big')).toBe('Unable to filter on a range with a non-numeric value.');
    expect(names(list(records, 'foo_min=1'))).toEqual([]);
  });

  it('filters by creation and update time with operators', () => {
    const early = image({ name: 'early', createdAt: '2026-01-01T00:00:00.400Z', updatedAt: '2026-06-01T00:00:00.000Z' });
    const late = image({ name: 'late', createdAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z' });
    expect(names(list([early, late], 'created_at=gt:2026-02-01T00:00:00Z'))).toEqual(['late']);
    expect(names(list([early, late], 'created_at=lte:2026-02-01'))).toEqual(['early']);
    expect(names(list([early, late], 'created_at=2026-01-01T00:00:00Z'))).toEqual(['early']);
    expect(names(list([early, late], 'created_at=neq:2026-01-01T00:00:00Z'))).toEqual(['late']);
    expect(names(list([early, late], 'updated_at=gte:2026-04-01T02:00:00%2B02:00'))).toEqual(['early']);
    expect(badRequest([early], 'created_at=gte:yesterday')).toBe('Bad "created_at" query filter format. Use ISO 8601 DateTime notation.');
    expect(badRequest([early], 'created_at=near:2026-01-01')).toBe('Unable to filter on a unknown operator.');
  });

  it('filters by other columns and by custom properties', () => {
    const records = [
      image({ name: 'mine', owner: 'p1', minRam: 512, checksum: 'abc', properties: { os_distro: 'debian' } }),
      image({ name: 'theirs', owner: 'p2', properties: { os_distro: 'ubuntu' } }),
    ];
    expect(names(list(records, 'owner=p1'))).toEqual(['mine']);
    expect(names(list(records, 'min_ram=512'))).toEqual(['mine']);
    expect(names(list(records, 'checksum=abc'))).toEqual(['mine']);
    expect(names(list(records, 'os_distro=ubuntu'))).toEqual(['theirs']);
    expect(names(list(records, 'unknown=1'))).toEqual([]);
    expect(names(list(records, 'member_status=all&sort_key=name&sort_dir=asc'))).toEqual(['mine', 'theirs']);
    expect(names(list(records, 'deleted=true&sort_key=name&sort_dir=asc'))).toEqual(['mine', 'theirs']);
  });

  it('refuses what glance refuses', () => {
    expect(badRequest([], 'changes-since=2026-01-01')).toBe('The "changes-since" filter is no longer available on v2.');
    expect(badRequest([], 'member_status=maybe')).toBe('Invalid status: maybe');
  });
});

describe('parseIsoTime', () => {
  it('reads the forms the iso8601 library reads', () => {
    expect(parseIsoTime('2026')).toBe(Date.UTC(2026, 0, 1));
    expect(parseIsoTime('2026-02-03')).toBe(Date.UTC(2026, 1, 3));
    expect(parseIsoTime('20260203')).toBe(Date.UTC(2026, 1, 3));
    expect(parseIsoTime('2026-02-03T04:05:06.789Z')).toBe(Date.UTC(2026, 1, 3, 4, 5, 6, 789));
    expect(parseIsoTime('2026-02-03 04:05:06-01:30')).toBe(Date.UTC(2026, 1, 3, 5, 35, 6));
    expect(parseIsoTime('2026-02-03T04:05+0100')).toBe(Date.UTC(2026, 1, 3, 3, 5));
  });

  it('refuses anything else', () => {
    for (const text of ['', 'yesterday', '2026-13-01', '2026-02-30', '2026-02-03T25:00', 'gte:2026-01-01', '202602']) expect(parseIsoTime(text)).toBeNull();
  });
});

describe('listImages over records already in the default order', () => {
  /** A small seeded generator, so that a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
  }

  function outcome(run: () => ImageListPage): unknown {
    try {
      return run();
    } catch (error) {
      return error instanceof GlanceError ? { status: error.status, message: error.message } : error;
    }
  }

  it('gives the same pages, links and errors as sorting, for every kind of query', () => {
    const next = random(20261122);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    for (let round = 0; round < 200; round++) {
      // Few distinct creation times, so that ties are broken by id.
      const records = Array.from({ length: 1 + Math.floor(next() * 60) }, () =>
        image({
          id: idOf(Math.floor(next() * 1e6)),
          name: pick(['a', 'b', 'c']),
          status: pick(['active', 'queued', 'deleted', 'killed', 'deactivated'] as const),
          visibility: pick(['public', 'shared', 'community', 'private'] as const),
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(next() * 5))).toISOString(),
        }),
      );
      const unique = [...new Map(records.map((record) => [record.id, record])).values()];
      const ordered = [...unique].sort(compareInDefaultOrder);
      const shuffled = [...unique].sort(() => next() - 0.5);
      const marker = pick([null, pick(unique).id, idOf(999_999_999)]);
      const params = new URLSearchParams();
      if (next() < 0.7) params.set('limit', String(Math.floor(next() * 8)));
      if (marker) params.set('marker', marker);
      if (next() < 0.3) params.set('name', pick(['a', 'b']));
      if (next() < 0.2) params.set('visibility', pick(['all', 'community', 'public']));
      if (next() < 0.2) params.set('sort_dir', pick(['asc', 'desc']));
      const query = params.toString();
      expect({ query, page: outcome(() => listImages(ordered, new URLSearchParams(query), { inDefaultOrder: true, owner: 'p' })) }).toEqual({
        query,
        page: outcome(() => listImages(shuffled, new URLSearchParams(query), { owner: 'p' })),
      });
    }
  });
});
