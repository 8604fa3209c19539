import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Session = Schemas['SessionDto'];
export type Principal = Schemas['PrincipalDto'];

/** The CSRF token of the signed-in session: in memory only, never in browser storage. */
let csrfToken: string | undefined;
/** Called after every answer of the service (the idle timer restarts) and on a 401. */
const listeners = { activity: () => {}, signedOut: () => {} };

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function onActivity(activity: () => void, signedOut: () => void): void {
  listeners.activity = activity;
  listeners.signedOut = signedOut;
}

const SAFE = new Set(['GET', 'HEAD']);

const session: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    const signingIn = request.headers.has('Authorization');
    if (response.status === 401 && !signingIn) listeners.signedOut();
    else listeners.activity();
    return response;
  },
};

/** The API client, generated from docs/openapi.json: every call is the service's own route. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

export { dataOf, describeError } from './errors';
