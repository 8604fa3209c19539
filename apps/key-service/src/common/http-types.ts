/**
 * The few members of Fastify's request and reply the service uses (the project does not depend on
 * fastify's own types; Nest's platform-fastify provides the runtime objects).
 */
export interface HttpRequest {
  readonly method: string;
  /** The request target: path and query string. */
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly params: Record<string, string>;
  /** The route the request matched: its pattern and its Fastify route config. */
  readonly routeOptions?: { readonly url?: string; readonly config?: object };
  /** The parsed body; a stream on the routes that take their body as one (`STREAMED_BODY`). */
  readonly body?: unknown;
}

export interface HttpResponse {
  readonly statusCode: number;
  /** The answer has gone out. */
  readonly sent: boolean;
  status(code: number): HttpResponse;
  send(body?: unknown): HttpResponse;
  header(name: string, value: string): HttpResponse;
}

/** The route pattern a request matched (`/api/v1/vending-keys/:id`), else its path. */
export function routeOf(req: HttpRequest): string {
  return req.routeOptions?.url ?? req.url.split('?', 1)[0];
}

/** A request as the subject of an audit event: `POST /api/v1/vending-keys/:id` (64 at most). */
export function routeSubjectOf(req: HttpRequest): string {
  return `${req.method} ${routeOf(req)}`.slice(0, 64);
}
