import { describe, expect, it } from '@jest/globals';
import { GlanceError } from './glance-error.js';
import { parseJsonBody } from './request-body.js';

describe('parseJsonBody', () => {
  it('parses JSON', () => {
    expect(parseJsonBody('{"name": "t"}')).toEqual({ name: 't' });
    expect(parseJsonBody('[]')).toEqual([]);
  });

  it('wants a body', () => {
    expect(() => parseJsonBody('')).toThrow(new GlanceError(400, 'Body expected in request.'));
    expect(() => parseJsonBody(undefined)).toThrow('Body expected in request.');
  });

  it('refuses malformed JSON, an empty chunked body included', () => {
    expect(() => parseJsonBody('{name')).toThrow(new GlanceError(400, 'Malformed JSON in request body.'));
    expect(() => parseJsonBody('', { chunked: true })).toThrow('Malformed JSON in request body.');
  });
});
