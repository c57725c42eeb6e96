import { describe, expect, it } from '@jest/globals';
import { CliError } from './errors.js';
import { collectProperty, integerIn, waitSeconds } from './option-parsers.js';
import type { ImageView } from './api-types.js';
import { findByIdOrName, findImage } from './refs.js';

const items = [
  { id: 'a1', name: 'cirros' },
  { id: 'b2', name: 'ubuntu' },
  { id: 'c3', name: 'ubuntu' },
];
const find = (ref: string) => findByIdOrName(items, ref, 'image', (item) => item);

describe('findByIdOrName', () => {
  it('finds by id first, then by a unique name', () => {
    expect(find('b2')).toBe(items[1]);
    expect(find('cirros')).toBe(items[0]);
  });

  it('refuses a name several items share (usage) and an unknown one (not found)', () => {
    expect(() => find('ubuntu')).toThrow(new CliError(2, '2 images are named "ubuntu" (b2, c3): give the id'));
    expect(() => find('debian')).toThrow(new CliError(3, 'no image has the id or name "debian" (images: cirros, ubuntu, ubuntu)'));
    expect(() => findByIdOrName([], 'x', 'host', () => ({ id: '', name: '' }))).toThrow(new CliError(3, 'no host has the id or name "x" (there are no hosts)'));
  });
});

describe('findImage', () => {
  it('does not find a deleted image that is still listed while hosts remove its files', () => {
    const images = [
      { id: 'd4', name: 'gone', status: 'deleted' },
      { id: 'e5', name: 'kept', status: 'active' },
    ] as ImageView[];
    expect(findImage(images, 'kept').id).toBe('e5');
    expect(() => findImage(images, 'gone')).toThrow(new CliError(3, 'no image has the id or name "gone" (images: kept)'));
    expect(() => findImage(images, 'd4')).toThrow(CliError);
  });
});

describe('option parsers', () => {
  it('accepts whole numbers in range only', () => {
    const port = integerIn(1, 65_535);
    expect(port('9292')).toBe(9292);
    expect(() => port('0')).toThrow('0 is not between 1 and 65535');
    expect(() => port('80a')).toThrow('"80a" is not a whole number');
    expect(() => port('-1')).toThrow('"-1" is not a whole number');
  });

  it('collects KEY=VALUE properties', () => {
    expect(collectProperty('b=x=y', collectProperty('a=1'))).toEqual({ a: '1', b: 'x=y' });
    expect(() => collectProperty('=1')).toThrow('"=1" is not KEY=VALUE');
    expect(() => collectProperty('novalue')).toThrow('is not KEY=VALUE');
  });

  it('turns --wait into seconds', () => {
    expect(waitSeconds(undefined, 60)).toBeNull();
    expect(waitSeconds(true, 60)).toBe(60);
    expect(waitSeconds(5, 60)).toBe(5);
  });
});
