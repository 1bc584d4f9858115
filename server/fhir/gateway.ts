// The portal's only way to the FHIR server: typed helpers over fhir-kit-client with a timeout on every
// call, retries with backoff for idempotent reads and searches, bearer tokens from SMART Backend
// Services when configured, and FHIR errors (OperationOutcome, HTTP status, network) turned into
// DomainErrors. Raw FHIR errors never leave this file.
import { Client } from 'fhir-kit-client';
import { env } from '@/server/env';
import { DomainError, unavailable } from '@/server/errors';
import { createSmartBackendAuth, type SmartBackendAuth } from './smart-auth';

export type FhirGateway = {
  read<T extends fhir4.FhirResource>(resourceType: T['resourceType'], id: string): Promise<T>;
  /**
   * Follows `next` links up to `maxPages` (default 10; pass 1 for "the newest N"); `included` holds
   * `_include`d resources, once each. An array value repeats the parameter (`_include: [a, b]`).
   */
  search<T extends fhir4.FhirResource>(
    resourceType: T['resourceType'],
    params: SearchParams,
    options?: { maxPages?: number },
  ): Promise<{ resources: T[]; included: fhir4.FhirResource[] }>;
  /** Never retried: a create that timed out may still have happened (use `ifNoneExist` to make it safe to repeat). */
  create<T extends fhir4.FhirResource>(resource: T, options?: { ifNoneExist?: string }): Promise<T>;
  update<T extends fhir4.FhirResource>(resource: T): Promise<T>;
  transaction(bundle: fhir4.Bundle): Promise<fhir4.Bundle>;
  /** A `batch` bundle: entries succeed or fail one by one; check each `response.status`. Not retried. */
  batch(bundle: fhir4.Bundle): Promise<fhir4.Bundle>;
};

export type SearchParams = Record<string, string | number | (string | number)[]>;

export type FhirGatewayOptions = {
  baseUrl: string;
  timeoutMs?: number;
  auth?: SmartBackendAuth;
  /** Attempts for reads and searches, the first included. */
  attempts?: number;
  /** First backoff; doubled for each further attempt. */
  backoffMs?: number;
};

const DEFAULT_TIMEOUT_MS = 8000;
const DEFAULT_MAX_PAGES = 10;

type RequestOptions = { signal: AbortSignal; headers: Record<string, string>; keepalive: false };
type FhirHttpError = Error & { response?: { status?: number; data?: unknown } };

export function createFhirGateway(options: FhirGatewayOptions): FhirGateway {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const client = new Client({ baseUrl });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 150;

  async function requestOptions(extraHeaders: Record<string, string> = {}): Promise<RequestOptions> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (options.auth) headers.authorization = `Bearer ${await options.auth.accessToken()}`;
    // Not keepalive: inside a Next.js request, its patched fetch rebuilds the request with the body as a
    // stream, and a keepalive request with a stream body is refused before it is sent (every create failed).
    return { signal: AbortSignal.timeout(timeoutMs), headers, keepalive: false };
  }

  /** One call; a 401 with SMART auth gets one more try with a fresh token (the old one may have been revoked). */
  async function once<R>(what: string, send: (o: RequestOptions) => Promise<unknown>, headers?: Record<string, string>): Promise<R> {
    try {
      return (await send(await requestOptions(headers))) as R;
    } catch (error) {
      if (options.auth && statusOf(error) === 401) {
        options.auth.invalidate();
        try {
          return (await send(await requestOptions(headers))) as R;
        } catch (retryError) {
          throw toDomainError(retryError, what);
        }
      }
      throw toDomainError(error, what);
    }
  }

  async function idempotent<R>(what: string, send: (o: RequestOptions) => Promise<unknown>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once<R>(what, send);
      } catch (error) {
        const retryable = error instanceof DomainError && error.code === 'UNAVAILABLE' && error.reason === 'fhirUnavailable';
        if (!retryable || attempt >= attempts) throw error;
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  return {
    read<T extends fhir4.FhirResource>(resourceType: T['resourceType'], id: string) {
      return idempotent<T>(`${resourceType}/${id}`, (o) => client.read({ resourceType, id, options: o }));
    },

    async search<T extends fhir4.FhirResource>(resourceType: T['resourceType'], params: SearchParams, searchOptions: { maxPages?: number } = {}) {
      const maxPages = Math.max(1, searchOptions.maxPages ?? DEFAULT_MAX_PAGES);
      const resources: T[] = [];
      const included = new Map<string, fhir4.FhirResource>();
      const what = `${resourceType} search`;
      let bundle = await idempotent<fhir4.Bundle>(what, (o) => client.search({ resourceType, searchParams: params, options: o }));
      for (let page = 1; ; page++) {
        for (const entry of bundle.entry ?? []) {
          const resource = entry.resource;
          if (!resource) continue;
          const isMatch = entry.search?.mode ? entry.search.mode === 'match' : resource.resourceType === resourceType;
          if (isMatch) resources.push(resource as T);
          else if (entry.search?.mode !== 'outcome') included.set(`${resource.resourceType}/${resource.id}`, resource as fhir4.FhirResource);
        }
        const next = bundle.link?.find((link) => link.relation === 'next')?.url;
        if (!next || page >= maxPages) break;
        const current = bundle;
        bundle = await idempotent<fhir4.Bundle>(what, (o) => client.nextPage({ bundle: current as never, options: o }) as Promise<unknown>);
      }
      return { resources, included: [...included.values()] };
    },

    create<T extends fhir4.FhirResource>(resource: T, createOptions: { ifNoneExist?: string } = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/fhir+json' };
      if (createOptions.ifNoneExist) headers['if-none-exist'] = createOptions.ifNoneExist;
      return once<T>(
        `${resource.resourceType} create`,
        (o) => client.create({ resourceType: resource.resourceType, body: resource as never, options: o }),
        headers,
      );
    },

    update<T extends fhir4.FhirResource>(resource: T) {
      if (!resource.id) {
        return Promise.reject(new DomainError('BAD_REQUEST', `An update needs the ${resource.resourceType}'s id`, 'fhirInvalid'));
      }
      return once<T>(
        `${resource.resourceType}/${resource.id} update`,
        (o) => client.update({ resourceType: resource.resourceType, id: resource.id as string, body: resource as never, options: o }),
        { 'content-type': 'application/fhir+json' },
      );
    },

    transaction(bundle: fhir4.Bundle) {
      return once<fhir4.Bundle>('transaction', (o) => client.transaction({ body: { ...bundle, type: 'transaction' } as never, options: o }), {
        'content-type': 'application/fhir+json',
      });
    },

    batch(bundle: fhir4.Bundle) {
      return once<fhir4.Bundle>('batch', (o) => client.batch({ body: { ...bundle, type: 'batch' } as never, options: o }), {
        'content-type': 'application/fhir+json',
      });
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return (error as FhirHttpError | undefined)?.response?.status;
}

/** The OperationOutcome's own words, for validation errors shown to the person who entered the data. */
export function outcomeMessage(outcome: unknown): string | undefined {
  const issues = (outcome as fhir4.OperationOutcome | undefined)?.resourceType === 'OperationOutcome' ? ((outcome as fhir4.OperationOutcome).issue ?? []) : [];
  const parts = issues
    .filter((issue) => issue.severity === 'error' || issue.severity === 'fatal')
    .map((issue) => {
      const text = issue.diagnostics ?? issue.details?.text ?? issue.code;
      const where = issue.expression?.length ? ` (${issue.expression.join(', ')})` : '';
      return `${text}${where}`;
    });
  return parts.length ? parts.join('; ') : undefined;
}

export function toDomainError(error: unknown, what: string): DomainError {
  if (error instanceof DomainError) return error;
  const status = statusOf(error);
  if (status === undefined) {
    const name = (error as Error | undefined)?.name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    return unavailable(timedOut ? `The FHIR server did not answer in time (${what})` : `The FHIR server cannot be reached (${what})`, 'fhirUnavailable');
  }
  const data = (error as FhirHttpError).response?.data;
  const detail = outcomeMessage(data);
  if (status === 404 || status === 410) return new DomainError('NOT_FOUND', detail ?? `Not found on the FHIR server: ${what}`, 'fhirNotFound');
  if (status === 400 || status === 422) return new DomainError('BAD_REQUEST', detail ?? `The FHIR server refused ${what}`, 'fhirInvalid');
  if (status === 409 || status === 412) return new DomainError('CONFLICT', detail ?? `Conflicting change on the FHIR server: ${what}`, 'fhirConflict');
  if (status === 401 || status === 403) {
    return unavailable(`The FHIR server refused the portal's credentials (${what}, HTTP ${status})`, 'fhirUnauthorized');
  }
  if (status === 429 || status >= 500) return unavailable(`The FHIR server failed (${what}, HTTP ${status})`, 'fhirUnavailable');
  return unavailable(`Unexpected answer from the FHIR server (${what}, HTTP ${status})`, 'fhirUnavailable');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let singleton: FhirGateway | undefined;

/** The gateway to FHIR_BASE_URL, with SMART Backend Services when FHIR_CLIENT_ID is set. */
export function fhirGateway(): FhirGateway {
  if (singleton) return singleton;
  const settings = env();
  if (!settings.FHIR_BASE_URL) throw unavailable('No FHIR server is configured (FHIR_BASE_URL)', 'fhirNotConfigured');
  const auth =
    settings.FHIR_CLIENT_ID && settings.FHIR_PRIVATE_KEY
      ? createSmartBackendAuth({
          fhirBaseUrl: settings.FHIR_BASE_URL,
          clientId: settings.FHIR_CLIENT_ID,
          privateKey: settings.FHIR_PRIVATE_KEY,
          keyId: settings.FHIR_KEY_ID,
          algorithm: settings.FHIR_SIGNING_ALG,
          scope: settings.FHIR_SCOPES,
          tokenUrl: settings.FHIR_TOKEN_URL,
        })
      : undefined;
  singleton = createFhirGateway({ baseUrl: settings.FHIR_BASE_URL, timeoutMs: settings.FHIR_TIMEOUT_MS, auth });
  return singleton;
}
