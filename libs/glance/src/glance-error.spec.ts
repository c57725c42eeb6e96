import { describe, expect, it } from '@jest/globals';
import { GlanceError, renderErrorPage, toGlanceError } from './glance-error.js';

/** What glanceclient's exc.from_response makes of an HTML error: lines stripped of tags, blanks and repeats dropped, joined by ': '. */
function clientDetails(html: string): string {
  const lines = html
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim().replace(/<.+?>/g, ''))
    .filter((line) => line.length > 0);
  return [...new Set(lines)].join(': ');
}

describe('GlanceError', () => {
  it('carries status, title and glance message', () => {
    const error = GlanceError.imageNotFound('abc');
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(404);
    expect(error.title).toBe('Not Found');
    expect(error.message).toBe('No image found with ID abc');
    expect(error.statusLine).toBe('404 Not Found');
    expect(error.detail).toBeNull();
  });

  it('has helpers for the statuses the API answers', () => {
    expect([
      GlanceError.badRequest('x').status,
      GlanceError.forbidden('x').status,
      GlanceError.notFound().status,
      GlanceError.methodNotAllowed('HEAD', ['GET', 'PUT']).status,
      GlanceError.conflict('x').status,
      GlanceError.gone('x').status,
      GlanceError.requestEntityTooLarge('x').status,
      GlanceError.unsupportedMediaType('text/plain').status,
      GlanceError.internalServerError().status,
      GlanceError.serviceUnavailable().status,
    ]).toEqual([400, 403, 404, 405, 409, 410, 413, 415, 500, 503]);
    expect(GlanceError.readOnlyAttribute('id').message).toBe("Attribute 'id' is read-only.");
    expect(GlanceError.reservedAttribute('locations').message).toBe("Attribute 'locations' is reserved.");
    expect(GlanceError.requestEntityTooLarge('x').title).toBe('Request Entity Too Large');
  });

  it('uses webob default explanations without a message', () => {
    expect(GlanceError.notFound().message).toBe('The resource could not be found.');
    expect(GlanceError.serviceUnavailable().message).toBe('The server is currently unavailable. Please try again at a later time.');
  });

  it('keeps a positional message as detail under the default explanation', () => {
    const error = GlanceError.conflict('Property x does not exist.', { asDetail: true });
    expect(error.message).toBe('Property x does not exist.');
    expect(error.explanation).toBe('There was a conflict when trying to complete your request.');
    expect(error.detail).toBe('Property x does not exist.');
  });

  it('takes response headers as its third argument', () => {
    const error = new GlanceError(416, 'Requested range not satisfiable.', { 'Content-Range': 'bytes */10' });
    expect(error.headers).toEqual({ 'Content-Range': 'bytes */10' });
    expect(error.title).toBe('Request Range Not Satisfiable');
    expect(new GlanceError(404).headers).toEqual({});
  });

  it('renders a 405 or 415 without the request variable like any other error', () => {
    const page = renderErrorPage(new GlanceError(405, 'The method HEAD is not allowed for /v2/images/x/file.', { Allow: 'GET, PUT' }));
    expect(page.body).toContain('  The method HEAD is not allowed for /v2/images/x/file.<br /><br />\n\n\n\n </body>');
    expect(renderErrorPage(new GlanceError(415, 'Wrong type.')).body).toContain('  Wrong type.<br /><br />');
  });

  it('wraps anything else as a bare 500', () => {
    const known = GlanceError.conflict('x');
    expect(toGlanceError(known)).toBe(known);
    const unknown = toGlanceError(new Error('disk on fire'));
    expect(unknown.status).toBe(500);
    expect(unknown.message).not.toContain('disk on fire');
  });
});

describe('renderErrorPage', () => {
  it('renders webob\'s page exactly (glance-wire §2.11)', () => {
    const page = renderErrorPage(GlanceError.imageNotFound('X'));
    expect(page.contentType).toBe('text/html; charset=UTF-8');
    expect(page.body).toBe(
      '<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  No image found with ID X<br /><br />\n\n\n\n </body>\n</html>',
    );
  });

  it('reads as glanceclient prints it (glance-wire §2.6)', () => {
    const page = renderErrorPage(GlanceError.conflict('Image status transition from active to saving is not allowed'));
    expect(page.body).toContain('<h1>409 Conflict</h1>\n  Image status transition from active to saving is not allowed<br /><br />');
    expect(clientDetails(page.body)).toBe('409 Conflict: Image status transition from active to saving is not allowed');
  });

  it('renders a detail under the default explanation', () => {
    const page = renderErrorPage(GlanceError.forbidden('Property name may not be removed.', { asDetail: true }));
    expect(page.body).toContain('  Access was denied to this resource.<br /><br />\nProperty name may not be removed.\n\n\n </body>');
    expect(clientDetails(page.body)).toBe('403 Forbidden: Access was denied to this resource.: Property name may not be removed.');
  });

  it('escapes HTML and writes non-ASCII as character references', () => {
    const page = renderErrorPage(GlanceError.badRequest(`<b>"it's" & é 😀</b>`));
    expect(page.body).toContain('&lt;b&gt;&quot;it&#x27;s&quot; &amp; &#233; &#128512;&lt;/b&gt;<br /><br />');
  });

  it('keeps webob\'s CRLFs in the default 400 explanation', () => {
    expect(renderErrorPage(GlanceError.badRequest()).body).toContain(
      '  The server could not comply with the request since\r\nit is either malformed or otherwise incorrect.\r\n<br /><br />',
    );
  });

  it('renders the 405 template with the method and an Allow header', () => {
    const error = GlanceError.methodNotAllowed('HEAD', ['GET', 'PUT']);
    expect(error.headers).toEqual({ Allow: 'GET, PUT' });
    expect(error.message).toBe('The method HEAD is not allowed for this resource.');
    expect(renderErrorPage(error).body).toBe(
      '<html>\n <head>\n  <title>405 Method Not Allowed</title>\n </head>\n <body>\n  <h1>405 Method Not Allowed</h1>\n' +
        '  The method HEAD is not allowed for this resource. <br /><br />\n\n </body>\n</html>',
    );
  });

  it('renders the 415 template with the request media type', () => {
    const error = GlanceError.unsupportedMediaType('application/json', { 'Accept-Patch': 'a, b' });
    expect(error.headers).toEqual({ 'Accept-Patch': 'a, b' });
    const body = renderErrorPage(error).body;
    expect(body).toContain('  The request media type application/json is not supported by this server.\n<br /><br />\n\n </body>');
    expect(clientDetails(body)).toBe('415 Unsupported Media Type: The request media type application/json is not supported by this server.');
  });
});
