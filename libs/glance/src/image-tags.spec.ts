import { describe, expect, it } from '@jest/globals';
import { GlanceError } from './glance-error.js';
import { addImageTag, removeImageTag } from './image-tags.js';

const ID = '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a';
const live = (tags: string[]) => ({ id: ID, status: 'active' as const, tags });

describe('addImageTag', () => {
  it('adds a tag once (glance-wire §2.8)', () => {
    expect(addImageTag(live([]), 'blue')).toEqual(['blue']);
    expect(addImageTag(live(['blue']), 'blue')).toEqual(['blue']);
    expect(addImageTag(live(['a']), 'b')).toEqual(['a', 'b']);
  });

  it('refuses a tag longer than 255 characters with the schema message', () => {
    expect(() => addImageTag(live([]), 't'.repeat(256))).toThrow(
      new GlanceError(400, `Provided object does not match schema 'image': '${'t'.repeat(256)}' is too long`),
    );
  });

  it('refuses a 129th tag with 413, but not one already there', () => {
    const tags = Array.from({ length: 128 }, (_, index) => `t${index}`);
    let error: unknown;
    try {
      addImageTag(live(tags), 'new');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GlanceError);
    expect((error as GlanceError).status).toBe(413);
    expect((error as GlanceError).message).toBe('The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128');
    expect(addImageTag(live(tags), 't0')).toHaveLength(128);
  });
});

describe('removeImageTag', () => {
  it('removes a tag', () => {
    expect(removeImageTag(live(['a', 'b']), 'a')).toEqual(['b']);
  });

  it('answers a bare 404 for a tag the image lacks', () => {
    let error: unknown;
    try {
      removeImageTag(live(['a']), 'b');
    } catch (caught) {
      error = caught;
    }
    expect((error as GlanceError).status).toBe(404);
    expect((error as GlanceError).message).toBe('The resource could not be found.');
  });
});

describe('tags of a deleted image', () => {
  it('are 404, after the tag itself is checked', () => {
    const gone = { id: ID, status: 'deleted' as const, tags: [] };
    expect(() => addImageTag(gone, 'x')).toThrow(`No image found with ID ${ID}`);
    expect(() => addImageTag(gone, 'x'.repeat(256))).toThrow('is too long');
    expect(() => removeImageTag(gone, 'x')).toThrow(`No image found with ID ${ID}`);
  });
});
