/**
 * The few Express request/response members the service uses (the project does not depend on
 * @types/express; Nest's platform-express provides the runtime objects).
 */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly params: Record<string, string>;
  readonly route?: { readonly path?: string };
  readonly res?: HttpResponse;
}

export interface HttpResponse {
  statusCode: number;
  readonly headersSent: boolean;
  status(code: number): HttpResponse;
  json(body: unknown): HttpResponse;
  setHeader(name: string, value: string): HttpResponse;
  on(event: 'finish', listener: () => void): HttpResponse;
}

export type NextFn = (error?: unknown) => void;
