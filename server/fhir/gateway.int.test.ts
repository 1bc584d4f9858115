// The FHIR gateway against the embedded server over HTTP, and against servers that fail on purpose.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFhirServer } from '@/scripts/lib/fhir.mjs';
import { DomainError } from '@/server/errors';
import { createFhirGateway } from './gateway';

const baseUrl = process.env.FHIR_BASE_URL as string;
const gateway = createFhirGateway({ baseUrl, timeoutMs: 5000 });
const unique = () => randomBytes(5).toString('hex');

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const heartRate = (patientId: string, day: number): fhir4.Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime: new Date(Date.UTC(2026, 0, 1 + day)).toISOString(),
  valueQuantity: { value: 60 + (day % 30), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

async function newPatient(): Promise<fhir4.Patient & { id: string }> {
  const created = await gateway.create<fhir4.Patient>({ resourceType: 'Patient', name: [{ family: '王', given: ['芳'] }], birthDate: '1958-04-02' });
  expect(created.id).toBeTruthy();
  return created as fhir4.Patient & { id: string };
}

/** A local HTTP server answering each request with `reply`; counts what it got. */
async function startStub(reply: (count: number, res: import('node:http').ServerResponse) => void) {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    count++;
    reply(count, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fhir`,
    get count() {
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('FHIR gateway on the embedded server', () => {
  it('creates, reads and updates typed resources', async () => {
    const patient = await newPatient();
    const read = await gateway.read<fhir4.Patient>('Patient', patient.id);
    expect(read.name?.[0]?.family).toBe('王');
    const updated = await gateway.update<fhir4.Patient>({ ...read, gender: 'female' });
    expect(updated.gender).toBe('female');
    expect(updated.meta?.versionId).not.toBe(read.meta?.versionId);
    expect((await gateway.read<fhir4.Patient>('Patient', patient.id)).gender).toBe('female');
  });

  it('follows next links up to maxPages and separates included resources', async () => {
    const patient = await newPatient();
    await gateway.transaction({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: Array.from({ length: 25 }, (_, day) => ({ resource: heartRate(patient.id, day), request: { method: 'POST', url: 'Observation' } })),
    });

    const all = await gateway.search<fhir4.Observation>('Observation', { patient: patient.id, _count: 10, _sort: 'date', _include: 'Observation:subject' });
    expect(all.resources).toHaveLength(25);
    expect(new Set(all.resources.map((o) => o.id)).size).toBe(25);
    expect(all.resources.map((o) => o.effectiveDateTime)).toEqual(all.resources.map((o) => o.effectiveDateTime).sort());
    // The same patient is included on each page but returned once.
    expect(all.included.map((r) => `${r.resourceType}/${r.id}`)).toEqual([`Patient/${patient.id}`]);

    const firstTwoPages = await gateway.search<fhir4.Observation>('Observation', { patient: patient.id, _count: 10 }, { maxPages: 2 });
    expect(firstTwoPages.resources).toHaveLength(20);
    const newest = await gateway.search<fhir4.Observation>('Observation', { patient: patient.id, _count: 1, _sort: '-date' }, { maxPages: 1 });
    expect(newest.resources.map((o) => o.effectiveDateTime)).toEqual([heartRate(patient.id, 24).effectiveDateTime]);
  });

  it('repeats a parameter given as an array (two _include targets)', async () => {
    const patient = await newPatient();
    const medication = await gateway.create<fhir4.Medication>({ resourceType: 'Medication', code: { text: 'Metformin 500 mg' } });
    await gateway.create<fhir4.MedicationRequest>({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${patient.id}` },
      medicationReference: { reference: `Medication/${medication.id}` },
    });
    const result = await gateway.search<fhir4.MedicationRequest>('MedicationRequest', {
      patient: patient.id,
      _include: ['MedicationRequest:medication', 'MedicationRequest:subject'],
    });
    expect(result.resources).toHaveLength(1);
    expect(result.included.map((r) => r.resourceType).sort()).toEqual(['Medication', 'Patient']);
  });

  it('creates once with ifNoneExist', async () => {
    const mrn = unique();
    const body: fhir4.Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: mrn }] };
    const first = await gateway.create(body, { ifNoneExist: `identifier=urn:test:mrn|${mrn}` });
    const second = await gateway.create(body, { ifNoneExist: `identifier=urn:test:mrn|${mrn}` });
    expect(second.id).toBe(first.id);
    const found = await gateway.search<fhir4.Patient>('Patient', { identifier: `urn:test:mrn|${mrn}` });
    expect(found.resources).toHaveLength(1);
  });

  it('returns the transaction-response bundle', async () => {
    const patient = await newPatient();
    const response = await gateway.transaction({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: heartRate(patient.id, 1), request: { method: 'POST', url: 'Observation' } }],
    });
    expect(response.type).toBe('transaction-response');
    expect(response.entry?.[0]?.response?.status).toMatch(/^201/);
  });

  it('maps 404 to NOT_FOUND and validation failures to BAD_REQUEST with the diagnostics', async () => {
    const missing = await domainError(gateway.read('Patient', `no-such-${unique()}`));
    expect(missing.code).toBe('NOT_FOUND');

    const invalid = await domainError(gateway.create({ resourceType: 'Observation', status: 'final' } as fhir4.Observation));
    expect(invalid.code).toBe('BAD_REQUEST');
    expect(invalid.reason).toBe('fhirInvalid');
    expect(invalid.message).toContain('Observation.code');

    const failedTransaction = await domainError(
      gateway.transaction({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: { resourceType: 'Observation', status: 'final' } as fhir4.Observation, request: { method: 'POST', url: 'Observation' } }],
      }),
    );
    expect(failedTransaction.code).toBe('BAD_REQUEST');
  });
});

describe('FHIR gateway when the server is not well', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'revisit-fhir-gw-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers UNAVAILABLE quickly when the server is stopped', async () => {
    const server = await startFhirServer({ dataDir });
    const own = createFhirGateway({ baseUrl: server.url, timeoutMs: 3000, backoffMs: 50 });
    const patient = await own.create<fhir4.Patient>({ resourceType: 'Patient', gender: 'male' });
    await server.stop();

    const started = Date.now();
    const error = await domainError(own.read('Patient', patient.id as string));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.reason).toBe('fhirUnavailable');
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await domainError(own.create<fhir4.Patient>({ resourceType: 'Patient' }))).code).toBe('UNAVAILABLE');
  });

  it('gives up after its timeout when the server never answers', async () => {
    const silent = await startStub(() => {
      /* never answers */
    });
    try {
      const own = createFhirGateway({ baseUrl: silent.url, timeoutMs: 300, attempts: 2, backoffMs: 10 });
      const started = Date.now();
      const error = await domainError(own.search('Observation', { patient: 'x' }));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain('did not answer in time');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(silent.count).toBe(2);
    } finally {
      await silent.close();
    }
  });

  it('retries reads after a 503 but never retries a create', async () => {
    const flaky = await startStub((count, res) => {
      if (count === 1) {
        res.writeHead(503, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify({ resourceType: 'Patient', id: 'p1' }));
    });
    try {
      const own = createFhirGateway({ baseUrl: flaky.url, timeoutMs: 2000, backoffMs: 10 });
      expect((await own.read<fhir4.Patient>('Patient', 'p1')).id).toBe('p1');
      expect(flaky.count).toBe(2);
    } finally {
      await flaky.close();
    }

    const failing = await startStub((_, res) => {
      res.writeHead(503);
      res.end();
    });
    try {
      const own = createFhirGateway({ baseUrl: failing.url, timeoutMs: 2000, backoffMs: 10 });
      const error = await domainError(own.create<fhir4.Patient>({ resourceType: 'Patient' }));
      expect(error.code).toBe('UNAVAILABLE');
      expect(failing.count).toBe(1);
      await domainError(own.read('Patient', 'p1'));
      expect(failing.count).toBe(1 + 3);
    } finally {
      await failing.close();
    }
  });
});
