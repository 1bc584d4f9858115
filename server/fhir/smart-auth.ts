// SMART Backend Services (client credentials with a signed JWT assertion, RFC 7523 / SMART App Launch
// "backend services"): the portal signs in to the clinic's EHR as itself. The token endpoint comes from
// <FHIR base>/.well-known/smart-configuration; tokens are cached and renewed before they expire.
import { randomUUID } from 'node:crypto';
import { importJWK, importPKCS8, SignJWT, type JWK } from 'jose';
import { unavailable } from '@/server/errors';

export type SmartBackendAuth = {
  /** A valid access token (cached; a fresh one is fetched shortly before the cached one expires). */
  accessToken(): Promise<string>;
  /** Forget the cached token (e.g. after the FHIR server answered 401). */
  invalidate(): void;
};

export type SmartSigningAlgorithm = 'RS384' | 'ES384';

export type SmartBackendAuthOptions = {
  fhirBaseUrl: string;
  clientId: string;
  /** JWK (JSON text) or PKCS#8 PEM. */
  privateKey: string;
  keyId?: string;
  algorithm: SmartSigningAlgorithm;
  scope: string;
  /** Skips discovery when set. */
  tokenUrl?: string;
  timeoutMs?: number;
  /** Renew this long before expiry (capped at half the token's lifetime). */
  renewBeforeSeconds?: number;
  /** The clock deciding when the cached token is renewed (assertions are always stamped with the real time). */
  now?: () => number;
};

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The refusal a client may see: a plain sentence and its reason. The EHR's address and its own words are the
 * error's cause, which only the server log reads.
 */
function ehrRefusal(message: string, reason: 'fhirUnavailable' | 'fhirUnauthorized', detail: string, cause?: unknown) {
  const refusal = unavailable(message, reason);
  refusal.cause = new Error(detail, { cause });
  return refusal;
}

const EHR_UNREACHABLE = 'The clinical record system cannot be reached right now.';
const EHR_REFUSED = 'The clinical record system refused the portal’s sign-in.';
const ASSERTION_LIFETIME_SECONDS = 300;

type CachedToken = { value: string; renewAt: number };

export function createSmartBackendAuth(options: SmartBackendAuthOptions): SmartBackendAuth {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 8000;
  const renewBefore = options.renewBeforeSeconds ?? 60;
  let signingKey: Promise<{ key: CryptoKey | Uint8Array; kid?: string }> | undefined;
  let tokenUrl: Promise<string> | undefined;
  let cached: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;

  function key() {
    signingKey ??= loadSigningKey(options.privateKey, options.algorithm, options.keyId);
    return signingKey;
  }

  function discoverTokenUrl(): Promise<string> {
    if (options.tokenUrl) return Promise.resolve(options.tokenUrl);
    tokenUrl ??= discover(options.fhirBaseUrl, timeoutMs).catch((error) => {
      tokenUrl = undefined; // try again on the next call
      throw error;
    });
    return tokenUrl;
  }

  async function fetchToken(): Promise<string> {
    const endpoint = await discoverTokenUrl();
    const { key: privateKey, kid } = await key();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: options.algorithm, typ: 'JWT', ...(kid ? { kid } : {}) })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(endpoint)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(Date.now() / 1000))
      .setExpirationTime(Math.floor(Date.now() / 1000) + ASSERTION_LIFETIME_SECONDS)
      .sign(privateKey);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: options.scope,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw ehrRefusal(EHR_UNREACHABLE, 'fhirUnavailable', `The EHR's token endpoint cannot be reached (${endpoint})`, error);
    }
    const json = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!response.ok || !json.access_token) {
      const why = json.error_description ?? json.error ?? `HTTP ${response.status}`;
      const reason = response.status >= 500 ? 'fhirUnavailable' : 'fhirUnauthorized';
      throw ehrRefusal(reason === 'fhirUnavailable' ? EHR_UNREACHABLE : EHR_REFUSED, reason, `The EHR at ${endpoint} refused the portal's credentials: ${why}`);
    }
    const lifetime = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 300;
    cached = { value: json.access_token, renewAt: now() + (lifetime - Math.min(renewBefore, lifetime / 2)) * 1000 };
    return json.access_token;
  }

  return {
    async accessToken() {
      if (cached && now() < cached.renewAt) return cached.value;
      // Callers arriving while a token is being fetched share that one request.
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

async function discover(fhirBaseUrl: string, timeoutMs: number): Promise<string> {
  const url = `${fhirBaseUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
  let configuration: { token_endpoint?: string };
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    configuration = (await response.json()) as { token_endpoint?: string };
  } catch (error) {
    throw ehrRefusal(EHR_UNREACHABLE, 'fhirUnavailable', `Could not read the EHR's SMART configuration at ${url}: ${(error as Error).message}`, error);
  }
  if (!configuration.token_endpoint) {
    throw ehrRefusal(EHR_UNREACHABLE, 'fhirUnavailable', `The EHR's SMART configuration at ${url} names no token_endpoint`);
  }
  return configuration.token_endpoint;
}

async function loadSigningKey(text: string, algorithm: SmartSigningAlgorithm, keyId?: string) {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const jwk = JSON.parse(trimmed) as JWK;
    return { key: (await importJWK(jwk, algorithm)) as CryptoKey | Uint8Array, kid: keyId ?? jwk.kid };
  }
  // PEM from an env file often arrives with literal "\n" sequences.
  const pem = trimmed.includes('\\n') ? trimmed.replace(/\\n/g, '\n') : trimmed;
  return { key: await importPKCS8(pem, algorithm), kid: keyId };
}
