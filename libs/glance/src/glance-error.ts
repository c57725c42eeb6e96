import { htmlEscape } from './py-format.js';

/** webob's status titles (the text after the code in the status line and on error pages). */
export const HTTP_STATUS_TITLES: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Request Range Not Satisfiable',
  417: 'Expectation Failed',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
});

/** webob's default explanations, used when glance raises an exception without `explanation=`. */
const DEFAULT_EXPLANATIONS: Readonly<Record<number, string>> = {
  400: 'The server could not comply with the request since\r\nit is either malformed or otherwise incorrect.\r\n',
  401:
    'This server could not verify that you are authorized to\r\naccess the document you requested.  Either you supplied the\r\n' +
    'wrong credentials (e.g., bad password), or your browser\r\ndoes not understand how to supply the credentials required.\r\n',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  408: 'The server has waited too long for the request to be sent by the client.',
  409: 'There was a conflict when trying to complete your request.',
  410: 'This resource is no longer available.  No forwarding address is given.',
  411: 'Content-Length header required.',
  412: 'Request precondition failed.',
  413: 'The body of your request was too large for this server.',
  414: 'The request URI was too long for this server.',
  416: 'The Range requested is not available.',
  417: 'Expectation failed.',
  500: 'The server has either erred or is incapable of performing\r\nthe requested operation.\r\n',
  502: 'Bad gateway.',
  503: 'The server is currently unavailable. Please try again at a later time.',
  504: 'The gateway has timed out.',
};

export interface GlanceErrorOptions {
  /**
   * Glance raised the webob exception with the message as its positional `detail` (for example
   * `HTTPConflict(msg)`), so the page shows webob's default explanation with the message under it.
   * Without this the message is the `explanation=` (the usual case).
   */
  asDetail?: boolean;
  /** The request method: a 405 (or 501) then renders webob's own template, which names it. */
  requestMethod?: string;
  /** The request's Content-Type: a 415 then renders webob's own template, which names it. */
  requestContentType?: string;
}

/** webob statuses whose page is a template naming a request variable instead of an explanation. */
function templateVariable(status: number, options: GlanceErrorOptions): string | undefined {
  if (status === 405 || status === 501) return options.requestMethod;
  if (status === 415) return options.requestContentType;
  return undefined;
}

/**
 * An error answer exactly as glance-api (webob) renders it: `new GlanceError(404, 'No image found
 * with ID x')`. `message` is glance's own text; `headers` go on the response (`Allow`, `Accept-Patch`).
 */
export class GlanceError extends Error {
  readonly status: number;
  readonly title: string;
  /** webob's `explanation` (glance's message, or webob's default when `asDetail`). */
  readonly explanation: string;
  /** webob's `detail` (glance's message when it was passed positionally). */
  readonly detail: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestMethod: string | undefined;
  readonly requestContentType: string | undefined;

  constructor(status: number, message?: string, headers: Readonly<Record<string, string>> = {}, options: GlanceErrorOptions = {}) {
    const defaultExplanation = DEFAULT_EXPLANATIONS[status] ?? '';
    const asDetail = options.asDetail === true && message !== undefined;
    const explanation = asDetail ? defaultExplanation : (message ?? defaultExplanation);
    const detail = asDetail ? (message ?? null) : null;
    super(GlanceError.summary(status, explanation, detail, options));
    this.name = 'GlanceError';
    this.status = status;
    this.title = HTTP_STATUS_TITLES[status] ?? 'Unknown Error';
    this.explanation = explanation;
    this.detail = detail;
    this.headers = Object.freeze({ ...headers });
    this.requestMethod = options.requestMethod;
    this.requestContentType = options.requestContentType;
  }

  private static summary(status: number, explanation: string, detail: string | null, options: GlanceErrorOptions): string {
    const variable = templateVariable(status, options);
    if (variable !== undefined) {
      if (status === 405) return `The method ${variable} is not allowed for this resource.`;
      if (status === 415) return `The request media type ${variable} is not supported by this server.`;
      return `The request method ${variable} is not implemented for this server.`;
    }
    return detail ?? explanation;
  }

  /** `404 Not Found` */
  get statusLine(): string {
    return `${this.status} ${this.title}`;
  }

  static badRequest(message?: string, options?: GlanceErrorOptions): GlanceError {
    return new GlanceError(400, message, {}, options);
  }

  static forbidden(message?: string, options?: GlanceErrorOptions): GlanceError {
    return new GlanceError(403, message, {}, options);
  }

  static notFound(message?: string, options?: GlanceErrorOptions): GlanceError {
    return new GlanceError(404, message, {}, options);
  }

  static conflict(message?: string, options?: GlanceErrorOptions): GlanceError {
    return new GlanceError(409, message, {}, options);
  }

  static gone(message?: string, options?: GlanceErrorOptions): GlanceError {
    return new GlanceError(410, message, {}, options);
  }

  static requestEntityTooLarge(message?: string, options?: GlanceErrorOptions): GlanceError {
    return new GlanceError(413, message, {}, options);
  }

  static internalServerError(message?: string): GlanceError {
    return new GlanceError(500, message);
  }

  static serviceUnavailable(message?: string, options?: GlanceErrorOptions): GlanceError {
    return new GlanceError(503, message, {}, options);
  }

  /** 405 as glance's router answers a method a resource lacks (`HEAD /v2/images/{id}/file`). */
  static methodNotAllowed(method: string, allowed: readonly string[]): GlanceError {
    return new GlanceError(405, undefined, { Allow: allowed.join(', ') }, { requestMethod: method });
  }

  /** 415 for a body of the wrong media type; `headers` carries `Accept-Patch` for PATCH. */
  static unsupportedMediaType(contentType: string, headers: Readonly<Record<string, string>> = {}): GlanceError {
    return new GlanceError(415, undefined, headers, { requestContentType: contentType });
  }

  /** 404 `No image found with ID {id}` (GET, PATCH, DELETE, data and tag calls of a missing image). */
  static imageNotFound(imageId: string): GlanceError {
    return new GlanceError(404, `No image found with ID ${imageId}`);
  }

  /** 403 `Attribute 'X' is read-only.` */
  static readOnlyAttribute(name: string): GlanceError {
    return new GlanceError(403, `Attribute '${name}' is read-only.`);
  }

  /** 403 `Attribute 'X' is reserved.` */
  static reservedAttribute(name: string): GlanceError {
    return new GlanceError(403, `Attribute '${name}' is reserved.`);
  }

  /** 409 when POST /v2/images names an id that exists (or existed: deleted rows keep their id). */
  static imageAlreadyExists(imageId: string): GlanceError {
    return new GlanceError(409, `Image ID ${imageId} already exists!`);
  }
}

/** Anything thrown, as the answer glance would give: a GlanceError as is, anything else a bare 500. */
export function toGlanceError(error: unknown): GlanceError {
  return error instanceof GlanceError ? error : GlanceError.internalServerError();
}

export interface ErrorPage {
  contentType: 'text/html; charset=UTF-8';
  body: string;
}

/**
 * The error page webob renders for a client that accepts HTML (glanceclient sends `Accept: *\/*`):
 * the status line as title and heading, then the explanation, `<br /><br />`, and the detail.
 * 405, 415 and 501 built with the request's method / content type use webob's templates instead.
 */
export function renderErrorPage(error: GlanceError): ErrorPage {
  const detail = htmlEscape(error.detail ?? '');
  const variable = templateVariable(error.status, { requestMethod: error.requestMethod, requestContentType: error.requestContentType });
  let fragment: string;
  if (variable !== undefined && error.status === 405) {
    fragment = `The method ${htmlEscape(variable)} is not allowed for this resource. <br /><br />\n${detail}`;
  } else if (variable !== undefined && error.status === 415) {
    fragment = `The request media type ${htmlEscape(variable)} is not supported by this server.\n<br /><br />\n${detail}`;
  } else if (variable !== undefined) {
    fragment = `\nThe request method ${htmlEscape(variable)} is not implemented for this server. <br /><br />\n${detail}`;
  } else {
    fragment = `${htmlEscape(error.explanation)}<br /><br />\n${detail}\n\n`;
  }
  const status = error.statusLine;
  const body = `<html>\n <head>\n  <title>${status}</title>\n </head>\n <body>\n  <h1>${status}</h1>\n  ${fragment}\n </body>\n</html>`;
  return { contentType: 'text/html; charset=UTF-8', body };
}
