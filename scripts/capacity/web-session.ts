// A signed-in user of the web app over plain HTTP, as a browser would be: Auth.js credentials
// sign-in (CSRF cookie, then the callback that sets the session cookie), and tRPC calls in the
// wire format of the app's client (httpBatchLink for mutations, server-sent events for live views).

/** No request made through a session may hang the benchmark. */
const DEFAULT_TIMEOUT_MS = 30_000;

export class WebSession {
  private readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    cookieHeader = '',
  ) {
    for (const pair of cookieHeader.split(';')) {
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keepCookies(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      if (at > 0) this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader);
    const response = await fetch(new URL(pathname, this.baseUrl), {
      redirect: 'manual',
      ...init,
      headers,
      signal: init.signal ?? AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
    });
    this.keepCookies(response);
    return response;
  }

  /** Signs in with one of the app's credential providers (`staff` or `patient-link`). */
  async signIn(provider: 'staff' | 'patient-link', fields: Record<string, string>): Promise<void> {
    const csrf = await this.fetch('/api/auth/csrf');
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await this.fetch(`/api/auth/callback/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, csrfToken, callbackUrl: this.baseUrl }),
    });
    await response.arrayBuffer();
    const location = response.headers.get('location') ?? '';
    if (![...this.cookies.keys()].some((name) => name.endsWith('authjs.session-token')) || location.includes('error=')) {
      throw new Error(`sign-in with ${provider} was refused (${response.status} ${location})`);
    }
  }

  /** One tRPC mutation, batched as the app's client sends it; returns the procedure's data. */
  async mutate<T>(procedure: string, input?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.fetch(`/api/trpc/${procedure}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 0: input ?? null }),
      signal,
    });
    const body = (await response.json()) as [{ result?: { data: T }; error?: { message: string } }];
    const first = body[0];
    if (!response.ok || !first?.result) {
      throw new Error(`${procedure} answered ${response.status}: ${first?.error?.message ?? 'no result'}`);
    }
    return first.result.data;
  }

  /** Opens a tRPC subscription (server-sent events) and resolves with its first data event, then closes it. */
  async firstEvent<T>(procedure: string, signal?: AbortSignal): Promise<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.fetch(`/api/trpc/${procedure}`, {
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`${procedure} answered ${response.status}`);
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          if (event.name === 'serialized-error') throw new Error(`${procedure} failed: ${event.data}`);
          // tRPC opens with `connected` and keeps the line alive with `ping`; data events have no name.
          if (event.name === undefined && event.data !== undefined) return JSON.parse(event.data) as T;
        }
      }
      throw new Error(`${procedure} closed before its first event`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }
}

function parseEvent(block: string): { name?: string; data?: string } {
  const event: { name?: string; data?: string } = {};
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event.name = line.slice(6).trim();
    else if (line.startsWith('data:')) event.data = (event.data === undefined ? '' : `${event.data}\n`) + line.slice(5).trimStart();
  }
  return event;
}
