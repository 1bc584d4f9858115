// FHIR REST over plain node:http in front of Medplum's FhirRouter and the embedded repository.
// Adds what the router does not do: `/metadata`, paging links on search sets, JSON parsing with
// OperationOutcome errors, and one request at a time: the store is in memory and every handler is
// CPU-bound, so nothing is lost by it, and no read ever sees half of a transaction.
import http from 'node:http';
import { badRequest, getSearchParameter, getStatus, normalizeOperationOutcome, OperationOutcomeError } from '@medplum/core';
import { FhirRouter, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, BundleLink, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { capabilityStatement } from './capability-statement';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type EmbeddedRepository } from './repository';

export const FHIR_PATH_PREFIX = '/fhir';
const MAX_BODY_BYTES = 50 * 1024 * 1024;
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

type Reply = { status: number; body: Resource; headers?: Record<string, string> };

export function createFhirHttpServer(repo: EmbeddedRepository): http.Server {
  const router = new FhirRouter();
  const startedAt = new Date().toISOString();
  let queue: Promise<unknown> = Promise.resolve();

  async function handle(req: http.IncomingMessage): Promise<Reply> {
    const requestUrl = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const baseUrl = `${requestUrl.origin}${FHIR_PATH_PREFIX}`;
    if (requestUrl.pathname !== FHIR_PATH_PREFIX && !requestUrl.pathname.startsWith(`${FHIR_PATH_PREFIX}/`)) {
      return outcomeReply(notFoundOutcome(`No FHIR endpoint at ${requestUrl.pathname}; the base is ${baseUrl}`));
    }
    let fhirPath = requestUrl.pathname.slice(FHIR_PATH_PREFIX.length) || '/';
    const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
    // Patient compartment search: GET /Patient/<id>/<type>?... is <type>?patient=<id>&...
    const compartment = method === 'GET' ? /^\/Patient\/([A-Za-z0-9\-.]{1,64})\/([A-Z][A-Za-z]+)$/.exec(fhirPath) : null;
    if (compartment && compartment[2] !== '_history') {
      const [, patientId, type] = compartment as unknown as [string, string, string];
      const param = getSearchParameter(type, 'patient') ? 'patient' : getSearchParameter(type, 'subject') ? 'subject' : undefined;
      if (!param) return outcomeReply(badRequest(`${type} is not in the Patient compartment`));
      requestUrl.searchParams.set(param, `Patient/${patientId}`);
      fhirPath = `/${type}`;
    }
    if (method === 'GET' && fhirPath === '/metadata') {
      return { status: 200, body: capabilityStatement(baseUrl, startedAt) };
    }
    if (!METHODS.includes(method)) return outcomeReply(badRequest(`Method ${method} is not supported`));

    const body = method === 'GET' || method === 'DELETE' ? undefined : await readBody(req);
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of requestUrl.searchParams) {
      const existing = query[key];
      query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const fhirRequest: FhirRequest = {
      method,
      url: `${fhirPath}${requestUrl.search}`,
      // The router fills in the path itself and refuses a request that already has one.
      pathname: '',
      body,
      params: {},
      query,
      headers: req.headers,
      config: { transactions: true },
    };

    const [outcome, resource] = await oneAtATime(() => router.handleRequest(fhirRequest, repo));
    const status = getStatus(outcome);
    if (!resource) return outcomeReply(outcome);
    const headers: Record<string, string> = {};
    if (resource.meta?.versionId) headers.ETag = `W/"${resource.meta.versionId}"`;
    if (status === 201 && resource.id) {
      headers.Location = `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? ''}`;
    }
    if (resource.resourceType === 'Bundle' && resource.type === 'searchset') {
      addPagingLinks(resource, `${baseUrl}${fhirPath}`, requestUrl.searchParams);
      for (const entry of resource.entry ?? []) {
        if (entry.fullUrl && !entry.fullUrl.startsWith('http')) entry.fullUrl = `${baseUrl}/${entry.fullUrl}`;
      }
    }
    return { status, body: resource, headers };
  }

  function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  }

  return http.createServer((req, res) => {
    handle(req)
      .catch((error: unknown) => outcomeReply(normalizeOperationOutcome(error)))
      .then((reply) => {
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          'Content-Type': 'application/fhir+json; charset=utf-8',
          'Content-Length': Buffer.byteLength(text),
          ...reply.headers,
        });
        res.end(text);
      })
      .catch(() => res.destroy());
  });
}

function outcomeReply(outcome: OperationOutcome): Reply {
  return { status: getStatus(outcome), body: outcome };
}

function notFoundOutcome(text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', id: 'not-found', issue: [{ severity: 'error', code: 'not-found', details: { text } }] };
}

/** `self`, and `next`/`previous` by `_offset`, keeping every other query parameter as the client sent it. */
function addPagingLinks(bundle: Bundle, pageUrl: string, params: URLSearchParams): void {
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, Number(params.get('_count') ?? DEFAULT_PAGE_SIZE) || 0));
  const offset = Math.max(0, Number(params.get('_offset') ?? 0) || 0);
  const total = bundle.total ?? 0;
  const at = (newOffset: number) => {
    const copy = new URLSearchParams(params);
    copy.set('_count', String(count));
    copy.set('_offset', String(newOffset));
    return `${pageUrl}?${copy.toString()}`;
  };
  const links: BundleLink[] = [{ relation: 'self', url: at(offset) }];
  if (count > 0 && offset + count < total) links.push({ relation: 'next', url: at(offset + count) });
  if (count > 0 && offset > 0) links.push({ relation: 'previous', url: at(Math.max(0, offset - count)) });
  bundle.link = links;
}

/** JSON (FHIR resources) or a form (POST `<type>/_search`). */
async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new OperationOutcomeError(badRequest('The request body is too large'));
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
    const form: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const existing = form[key];
      form[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    return form;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OperationOutcomeError(badRequest('The request body is not valid JSON'));
  }
}
