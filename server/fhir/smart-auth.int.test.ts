// SMART Backend Services against a local authorization server written here: it publishes
// .well-known/smart-configuration, verifies each client assertion (signature with the registered public
// key, iss/sub, aud, exp, a jti never seen before) and guards a FHIR endpoint with the tokens it issues.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportPKCS8, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@/server/errors';
import { createFhirGateway } from './gateway';
import { createSmartBackendAuth, type SmartSigningAlgorithm } from './smart-auth';

const CLIENT_ID = 'revisit-test-client';

type Authority = {
  baseUrl: string;
  tokenUrl: string;
  tokenRequests: { jti: string; exp: number; iat: number; kid?: string; scope: string }[];
  refusals: string[];
  expiresIn: number;
  /** Tokens the FHIR endpoint accepts. */
  valid: Set<string>;
  register(alg: SmartSigningAlgorithm, publicKey: CryptoKey): void;
  close(): Promise<void>;
};

async function startAuthority(): Promise<Authority> {
  const keys = new Map<SmartSigningAlgorithm, CryptoKey>();
  const seenJti = new Set<string>();
  let issued = 0;
  const authority = {
    tokenRequests: [],
    refusals: [],
    expiresIn: 300,
    valid: new Set<string>(),
    register: (alg: SmartSigningAlgorithm, key: CryptoKey) => keys.set(alg, key),
  } as unknown as Authority;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text;
  };
  const refuse = (res: ServerResponse, why: string) => {
    authority.refusals.push(why);
    json(res, 400, { error: 'invalid_client', error_description: why });
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/fhir/.well-known/smart-configuration') {
      return json(res, 200, { token_endpoint: authority.tokenUrl, token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      if (form.get('grant_type') !== 'client_credentials') return refuse(res, 'grant_type');
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse(res, 'assertion type');
      const assertion = form.get('client_assertion') ?? '';
      const alg = JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString()).alg as SmartSigningAlgorithm;
      const key = keys.get(alg);
      if (!key) return refuse(res, `no key registered for ${alg}`);
      try {
        const { payload, protectedHeader } = await jwtVerify(assertion, key, {
          algorithms: [alg],
          issuer: CLIENT_ID,
          subject: CLIENT_ID,
          audience: authority.tokenUrl,
          requiredClaims: ['exp', 'jti'],
        });
        if (payload.exp! - Math.floor(Date.now() / 1000) > 300) return refuse(res, 'exp more than 5 minutes ahead');
        if (seenJti.has(payload.jti!)) return refuse(res, 'jti replayed');
        seenJti.add(payload.jti!);
        authority.tokenRequests.push({ jti: payload.jti!, exp: payload.exp!, iat: payload.iat!, kid: protectedHeader.kid, scope: form.get('scope') ?? '' });
      } catch (error) {
        return refuse(res, `assertion: ${(error as Error).message}`);
      }
      const token = `token-${++issued}`;
      authority.valid.add(token);
      return json(res, 200, { access_token: token, token_type: 'bearer', expires_in: authority.expiresIn, scope: form.get('scope') });
    }
    if (url.pathname.startsWith('/fhir/Patient/')) {
      const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (!authority.valid.has(token)) {
        res.writeHead(401, { 'content-type': 'application/fhir+json' });
        return res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }));
      }
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      return res.end(JSON.stringify({ resourceType: 'Patient', id: url.pathname.split('/').pop(), meta: { tag: [{ code: token }] } }));
    }
    json(res, 404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  authority.baseUrl = `http://127.0.0.1:${port}/fhir`;
  authority.tokenUrl = `http://127.0.0.1:${port}/token`;
  authority.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return authority;
}

let authority: Authority;
let rsaJwk: JWK;
let ecPem: string;

beforeAll(async () => {
  authority = await startAuthority();
  const rsa = await generateKeyPair('RS384', { extractable: true });
  rsaJwk = { ...(await exportJWK(rsa.privateKey)), kid: 'rsa-key-1', alg: 'RS384' };
  authority.register('RS384', rsa.publicKey);
  const ec = await generateKeyPair('ES384', { extractable: true });
  ecPem = await exportPKCS8(ec.privateKey);
  authority.register('ES384', ec.publicKey);
});
afterAll(() => authority.close());

const tokenOf = (patient: fhir4.Patient) => patient.meta?.tag?.[0]?.code;

describe('SMART Backend Services', () => {
  it('discovers the token endpoint, signs an RS384 assertion with the JWK and caches the token', async () => {
    const before = authority.tokenRequests.length;
    const auth = createSmartBackendAuth({
      fhirBaseUrl: authority.baseUrl,
      clientId: CLIENT_ID,
      privateKey: JSON.stringify(rsaJwk),
      algorithm: 'RS384',
      scope: 'system/Patient.rs system/Observation.rs',
    });
    const gateway = createFhirGateway({ baseUrl: authority.baseUrl, auth });
    const first = await gateway.read<fhir4.Patient>('Patient', 'p1');
    const second = await gateway.read<fhir4.Patient>('Patient', 'p2');
    expect(second.id).toBe('p2');
    expect(tokenOf(second)).toBe(tokenOf(first));
    const requests = authority.tokenRequests.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.kid).toBe('rsa-key-1');
    expect(requests[0]!.scope).toBe('system/Patient.rs system/Observation.rs');
    expect(requests[0]!.exp - requests[0]!.iat).toBeLessThanOrEqual(300);
  });

  it('signs ES384 with a PEM key and the configured key id', async () => {
    const before = authority.tokenRequests.length;
    const auth = createSmartBackendAuth({
      fhirBaseUrl: authority.baseUrl,
      clientId: CLIENT_ID,
      privateKey: ecPem.replace(/\n/g, '\\n'),
      keyId: 'ec-key-7',
      algorithm: 'ES384',
      scope: 'system/*.rs',
    });
    expect(await auth.accessToken()).toMatch(/^token-/);
    expect(authority.tokenRequests.slice(before).map((r) => r.kid)).toEqual(['ec-key-7']);
  });

  it('renews the token before it expires, with a fresh jti, and shares one request among concurrent callers', async () => {
    authority.expiresIn = 120;
    let now = Date.now();
    const before = authority.tokenRequests.length;
    const auth = createSmartBackendAuth({
      fhirBaseUrl: authority.baseUrl,
      clientId: CLIENT_ID,
      privateKey: JSON.stringify(rsaJwk),
      algorithm: 'RS384',
      scope: 'system/*.rs',
      renewBeforeSeconds: 30,
      now: () => now,
    });
    try {
      const tokens = await Promise.all([auth.accessToken(), auth.accessToken(), auth.accessToken()]);
      expect(new Set(tokens).size).toBe(1);
      now += 80_000; // 40 s left: still before the renewal point
      expect(await auth.accessToken()).toBe(tokens[0]);
      now += 15_000; // 25 s left: inside the renewal window
      const renewed = await auth.accessToken();
      expect(renewed).not.toBe(tokens[0]);
      const requests = authority.tokenRequests.slice(before);
      expect(requests).toHaveLength(2);
      expect(requests[0]!.jti).not.toBe(requests[1]!.jti);
    } finally {
      authority.expiresIn = 300;
    }
  });

  it('fetches a new token once when the FHIR server rejects the cached one', async () => {
    const auth = createSmartBackendAuth({
      fhirBaseUrl: authority.baseUrl,
      clientId: CLIENT_ID,
      privateKey: JSON.stringify(rsaJwk),
      algorithm: 'RS384',
      scope: 'system/*.rs',
    });
    const gateway = createFhirGateway({ baseUrl: authority.baseUrl, auth });
    const first = tokenOf(await gateway.read<fhir4.Patient>('Patient', 'p1'))!;
    authority.valid.delete(first); // revoked on the server side
    const after = tokenOf(await gateway.read<fhir4.Patient>('Patient', 'p1'));
    expect(after).not.toBe(first);
  });

  it('reports refused credentials as UNAVAILABLE without reaching the FHIR data', async () => {
    const stranger = await generateKeyPair('RS384', { extractable: true });
    const auth = createSmartBackendAuth({
      fhirBaseUrl: authority.baseUrl,
      clientId: CLIENT_ID,
      privateKey: JSON.stringify(await exportJWK(stranger.privateKey)),
      algorithm: 'RS384',
      scope: 'system/*.rs',
    });
    const gateway = createFhirGateway({ baseUrl: authority.baseUrl, auth });
    const error = await gateway.read('Patient', 'p1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('UNAVAILABLE');
    expect((error as DomainError).reason).toBe('fhirUnauthorized');
    // What a client may see names neither the EHR's address nor its words; the log gets both from the cause.
    expect((error as DomainError).message).not.toContain(new URL(authority.baseUrl).host);
    expect((error as DomainError).message).not.toMatch(/signature/);
    expect(String(((error as DomainError).cause as Error).message)).toContain(new URL(authority.baseUrl).host);
    expect(authority.refusals.at(-1)).toMatch(/^assertion: signature verification failed/);
  });
});
