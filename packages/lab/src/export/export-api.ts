/** A signed-in person talking to central over real HTTP (loopback), with their session cookie. */
export interface ApiClient {
  /** Answers the response whatever its status. */
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response>;
  /** JSON of a 2xx answer; anything else throws with the status and the start of the body. */
  json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

const REQUEST_TIMEOUT_MS = 120_000;

export function createApiClient(baseUrl: string, session: { token: string; csrfToken: string }): ApiClient {
  async function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    return fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        cookie: `osiris_session=${session.token}`,
        'x-csrf-token': session.csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  }
  return {
    request,
    async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await request(method, path, body);
      if (!response.ok) {
        const text = (await response.text()).slice(0, 300);
        throw new Error(`${method} ${path.split('?')[0]}: HTTP ${response.status} ${text}`);
      }
      return (await response.json()) as T;
    },
  };
}
