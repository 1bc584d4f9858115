// The embedded FHIR server over HTTP: what it adds to Medplum's bare router.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFhirServer } from '@/scripts/lib/fhir.mjs';

const base = process.env.FHIR_BASE_URL as string;
const unique = () => randomBytes(5).toString('hex');

async function fhir(method: string, url: string, body?: unknown, baseUrl = base) {
  const response = await fetch(url.startsWith('http') ? url : `${baseUrl}/${url}`, {
    method,
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

const patient = (id: string): fhir4.Patient => ({
  resourceType: 'Patient',
  id,
  name: [{ family: 'Test', given: [id] }],
  gender: 'female',
  birthDate: '1950-01-01',
});
const observation = (patientId: string, date: string, value = 120): fhir4.Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime: date,
  valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

async function putPatient(id = `p-${unique()}`) {
  const { status } = await fhir('PUT', `Patient/${id}`, patient(id));
  expect(status).toBeLessThan(300);
  return id;
}

describe('embedded FHIR server', () => {
  it('serves a CapabilityStatement at /metadata', async () => {
    const { status, body, headers } = await fhir('GET', 'metadata');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('application/fhir+json');
    expect(body.resourceType).toBe('CapabilityStatement');
    expect(body.fhirVersion).toBe('4.0.1');
    const observationCaps = body.rest[0].resource.find((r: any) => r.type === 'Observation');
    expect(observationCaps.interaction.map((i: any) => i.code)).toEqual(expect.arrayContaining(['read', 'create', 'search-type']));
    expect(observationCaps.searchInclude).toContain('Observation:subject');
    expect(observationCaps.searchParam.map((p: any) => p.name)).toEqual(expect.arrayContaining(['patient', 'subject', 'code', 'date']));
  });

  it("finds a patient's resources by bare id as well as by Patient/<id>, and no one else's", async () => {
    const mine = await putPatient();
    const other = await putPatient();
    for (const date of ['2026-01-01', '2026-02-01', '2026-03-01']) await fhir('POST', 'Observation', observation(mine, date));
    await fhir('POST', 'Observation', observation(other, '2026-01-15'));
    await fhir('POST', 'Condition', {
      resourceType: 'Condition',
      subject: { reference: `Patient/${mine}` },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertensive disorder' }] },
    });

    const queries = [`patient=${mine}`, `subject=${mine}`, `patient=Patient/${mine}`, `subject=Patient/${mine}`];
    for (const query of queries) {
      const { body } = await fhir('GET', `Observation?${query}`);
      expect(body.total, query).toBe(3);
      expect(
        body.entry.every((e: any) => e.resource.subject.reference === `Patient/${mine}`),
        query,
      ).toBe(true);
    }
    expect((await fhir('GET', `Condition?patient=${mine}`)).body.total).toBe(1);
    // The Patient compartment URL means the same.
    const compartment = await fhir('GET', `Patient/${mine}/Observation?date=ge2026-02-01`);
    expect(compartment.body.total).toBe(2);
    expect(compartment.body.entry.every((e: any) => e.resource.subject.reference === `Patient/${mine}`)).toBe(true);
    expect((await fhir('GET', `Patient/${mine}/Condition`)).body.total).toBe(1);
    expect((await fhir('GET', `Observation?patient=${mine},${other}`)).body.total).toBe(4);
    const byPost = await fetch(`${base}/Observation/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ patient: mine }).toString(),
    }).then((r) => r.json() as Promise<any>);
    expect(byPost.total).toBe(3);
    // Other filters still apply on top of the patient index.
    expect((await fhir('GET', `Observation?patient=${mine}&date=ge2026-02-01`)).body.total).toBe(2);
    expect((await fhir('GET', `Observation?patient=${mine}&code=http://loinc.org|8867-4&date=lt2026-02-01`)).body.total).toBe(1);
  });

  it('sorts and returns _include-d subjects, patients and medications once each', async () => {
    const id = await putPatient();
    const subject = { reference: `Patient/${id}` };
    await fhir('POST', 'Observation', observation(id, '2026-03-01', 70));
    await fhir('POST', 'Observation', observation(id, '2026-01-01', 60));
    await fhir('POST', 'Observation', observation(id, '2026-02-01', 65));
    const medication = await fhir('POST', 'Medication', { resourceType: 'Medication', code: { text: 'Amlodipine 5 mg tablet' } });
    expect(medication.status).toBe(201);
    await fhir('POST', 'MedicationRequest', {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject,
      medicationReference: { reference: `Medication/${medication.body.id}` },
    });
    await fhir('POST', 'Condition', { resourceType: 'Condition', subject, code: { text: 'Hypertension' } });
    await fhir('POST', 'Encounter', { resourceType: 'Encounter', status: 'finished', class: { code: 'VR' }, subject });
    await fhir('POST', 'DocumentReference', {
      resourceType: 'DocumentReference',
      status: 'current',
      subject,
      content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('note').toString('base64') } }],
    });

    const sorted = await fhir('GET', `Observation?patient=${id}&_sort=-date&_include=Observation:subject`);
    const matches = sorted.body.entry.filter((e: any) => e.search.mode === 'match');
    expect(matches.map((e: any) => e.resource.effectiveDateTime)).toEqual(['2026-03-01', '2026-02-01', '2026-01-01']);
    const includes = sorted.body.entry.filter((e: any) => e.search.mode === 'include');
    expect(includes.map((e: any) => `${e.resource.resourceType}/${e.resource.id}`)).toEqual([`Patient/${id}`]);

    const allergy = await fhir('POST', 'AllergyIntolerance', {
      resourceType: 'AllergyIntolerance',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      patient: subject,
      code: { text: 'Penicillin' },
    });
    expect(allergy.status).toBe(201);
    for (const [type, param] of [
      ['Condition', 'subject'],
      ['Condition', 'patient'],
      ['Encounter', 'subject'],
      ['Encounter', 'patient'],
      ['DocumentReference', 'subject'],
      ['DocumentReference', 'patient'],
      ['MedicationRequest', 'subject'],
      ['MedicationRequest', 'patient'],
      ['AllergyIntolerance', 'patient'],
    ] as const) {
      const { body } = await fhir('GET', `${type}?patient=${id}&_include=${type}:${param}`);
      expect(body.total, type).toBe(1);
      const included = body.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource);
      expect(
        included.map((r: any) => `${r.resourceType}/${r.id}`),
        `${type}:${param}`,
      ).toEqual([`Patient/${id}`]);
    }
    const medications = await fhir('GET', `MedicationRequest?patient=${id}&_include=MedicationRequest:medication&_include=MedicationRequest:subject`);
    const kinds = medications.body.entry.map((e: any) => `${e.search.mode}:${e.resource.resourceType}`).sort();
    expect(kinds).toEqual(['include:Medication', 'include:Patient', 'match:MedicationRequest']);
  });

  it('returns _revinclude-d resources that point at the matches', async () => {
    const id = await putPatient();
    const subject = { reference: `Patient/${id}` };
    const encounter = await fhir('POST', 'Encounter', { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject });
    const other = await fhir('POST', 'Encounter', { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject });
    const noteFor = (encounterId: string, text: string) => ({
      resourceType: 'DocumentReference',
      status: 'current',
      subject,
      content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64') } }],
      context: { encounter: [{ reference: `Encounter/${encounterId}` }] },
    });
    const note = await fhir('POST', 'DocumentReference', noteFor(encounter.body.id, 'first visit'));
    await fhir('POST', 'DocumentReference', noteFor(other.body.id, 'second visit'));

    const { body } = await fhir('GET', `Encounter?_id=${encounter.body.id}&_revinclude=DocumentReference:encounter`);
    expect(body.total).toBe(1);
    const included = body.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource.id);
    expect(included).toEqual([note.body.id]);
  });

  it('pages with _count and next links that lead through every result exactly once', async () => {
    const id = await putPatient();
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: Array.from({ length: 45 }, (_, i) => ({
        resource: observation(id, new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10), 60 + i),
        request: { method: 'POST', url: 'Observation' },
      })),
    };
    expect((await fhir('POST', '', bundle)).status).toBe(200);

    let page = await fhir('GET', `Observation?subject=${id}&_count=20&_sort=date`);
    expect(page.body.total).toBe(45);
    const seen: string[] = [];
    const sizes: number[] = [];
    for (;;) {
      sizes.push(page.body.entry.length);
      seen.push(...page.body.entry.map((e: any) => e.resource.effectiveDateTime));
      const next = page.body.link.find((l: any) => l.relation === 'next')?.url;
      if (!next) break;
      expect(next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/Observation\?/);
      page = await fhir('GET', next);
    }
    expect(sizes).toEqual([20, 20, 5]);
    expect(new Set(seen).size).toBe(45);
    expect(seen).toEqual([...seen].sort());
    expect(page.body.link.some((l: any) => l.relation === 'previous')).toBe(true);
  });

  it('rejects an invalid resource with 400 and an OperationOutcome, on create and on update', async () => {
    const id = await putPatient();
    const missingCode = { resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${id}` } };
    const created = await fhir('POST', 'Observation', missingCode);
    expect(created.status).toBe(400);
    expect(created.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(created.body.issue)).toContain('Observation.code');

    const unknownProperty = await fhir('PUT', `Patient/${id}`, { ...patient(id), favouriteColour: 'blue' });
    expect(unknownProperty.status).toBe(400);
    const badValueType = await fhir('PUT', `Patient/${id}`, { ...patient(id), birthDate: 'last spring' });
    expect(badValueType.status).toBe(400);
    expect((await fhir('GET', `Patient/${id}`)).body.birthDate).toBe('1950-01-01');
    expect((await fhir('GET', `Observation?patient=${id}`)).body.total).toBe(0);
    expect((await fhir('POST', 'Observation', '{not json')).status).toBe(400);
  });

  it('applies a transaction with urn:uuid references as a whole', async () => {
    const mrn = unique();
    const { status, body } = await fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:3f0c2d1e-0000-4000-8000-000000000001',
          resource: { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: mrn }], gender: 'male' },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: { ...observation('x', '2026-05-01'), subject: { reference: 'urn:uuid:3f0c2d1e-0000-4000-8000-000000000001' } },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    expect(status).toBe(200);
    expect(body.type).toBe('transaction-response');
    const patientId = body.entry[0].resource.id;
    const observations = await fhir('GET', `Observation?patient=${patientId}`);
    expect(observations.body.total).toBe(1);
  });

  it('leaves nothing behind when any entry of a transaction fails', async () => {
    const existing = await putPatient();
    const mrn = unique();
    const before = (await fhir('GET', `Patient/${existing}`)).body;
    const { status, body } = await fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: mrn }] },
          request: { method: 'POST', url: 'Patient' },
        },
        { resource: { ...patient(existing), gender: 'male' }, request: { method: 'PUT', url: `Patient/${existing}` } },
        { resource: observation(existing, '2026-06-01'), request: { method: 'POST', url: 'Observation' } },
        // Invalid: no code. Everything above must be undone.
        {
          resource: { resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${existing}` } },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    expect(status).toBe(400);
    expect(body.resourceType).toBe('OperationOutcome');
    expect((await fhir('GET', `Patient?identifier=urn:test:mrn|${mrn}`)).body.total).toBe(0);
    expect((await fhir('GET', `Observation?patient=${existing}`)).body.total).toBe(0);
    const after = (await fhir('GET', `Patient/${existing}`)).body;
    expect(after).toEqual(before);
    const history = await fhir('GET', `Patient/${existing}/_history`);
    expect(history.body.entry).toHaveLength(1);
  });

  it('finds resources by identifier, with or without the system', async () => {
    const id = await putPatient();
    const reading = unique();
    const withSystem = await fhir('POST', 'Observation', { ...observation(id, '2026-04-01'), identifier: [{ system: 'urn:test:reading', value: reading }] });
    const withoutSystem = await fhir('POST', 'Observation', { ...observation(id, '2026-04-02'), identifier: [{ value: `${reading}-b` }] });
    const ids = async (query: string) => ((await fhir('GET', `Observation?${query}`)).body.entry ?? []).map((e: any) => e.resource.id).sort();
    expect(await ids(`identifier=urn:test:reading|${reading}`)).toEqual([withSystem.body.id]);
    expect(await ids(`identifier=${reading}`)).toEqual([withSystem.body.id]);
    expect(await ids(`identifier=urn:other|${reading}`)).toEqual([]);
    expect(await ids(`identifier=|${reading}-b`)).toEqual([withoutSystem.body.id]);
    expect(await ids(`identifier=${reading},${reading}-b`)).toEqual([withSystem.body.id, withoutSystem.body.id].sort());
    expect(await ids(`identifier=${reading}&date=ge2026-04-02`)).toEqual([]);
    // An update that changes the identifier moves it in the index.
    await fhir('PUT', `Observation/${withSystem.body.id}`, { ...withSystem.body, identifier: [{ system: 'urn:test:reading', value: `${reading}-c` }] });
    expect(await ids(`identifier=${reading}`)).toEqual([]);
    expect(await ids(`identifier=urn:test:reading|${reading}-c`)).toEqual([withSystem.body.id]);
  });

  it('supports conditional create (If-None-Exist) without duplicates', async () => {
    const mrn = unique();
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: mrn }] };
    const send = () =>
      fetch(`${base}/Patient`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', 'if-none-exist': `identifier=urn:test:mrn|${mrn}` },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
  });
});

describe('embedded FHIR server across a restart', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'revisit-fhir-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps created, updated and transacted data, and forgets what was deleted or rolled back', async () => {
    let server = await startFhirServer({ dataDir });
    try {
      await fhir('PUT', 'Patient/kept', patient('kept'), server.url);
      await fhir('PUT', 'Patient/kept', { ...patient('kept'), gender: 'male' }, server.url);
      await fhir('PUT', 'Patient/gone', patient('gone'), server.url);
      expect((await fhir('DELETE', 'Patient/gone', undefined, server.url)).status).toBeLessThan(300);
      const created = await fhir('POST', 'Observation', observation('kept', '2026-01-02'), server.url);
      await fhir(
        'POST',
        '',
        {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: observation('kept', '2026-01-03'), request: { method: 'POST', url: 'Observation' } },
            { resource: { resourceType: 'Observation', status: 'final' }, request: { method: 'POST', url: 'Observation' } },
          ],
        },
        server.url,
      );
      const before = (await fhir('GET', 'Patient/kept', undefined, server.url)).body;
      // A second server on the same data directory refuses to start (it would miss the first one's writes).
      await expect(startFhirServer({ dataDir })).rejects.toThrow(/exited/);
      expect((await fhir('GET', 'Patient/kept', undefined, server.url)).status).toBe(200);

      await server.stop();
      // A line cut short by a crash in the middle of a write is skipped, not fatal.
      appendFileSync(path.join(dataDir, 'journal.jsonl'), '{"op":"put","resource":{"resourceType":"Patient","id":"torn"');
      server = await startFhirServer({ dataDir });

      const after = await fhir('GET', 'Patient/kept', undefined, server.url);
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before);
      expect((await fhir('GET', 'Patient/gone', undefined, server.url)).status).toBe(404);
      expect((await fhir('GET', 'Patient/torn', undefined, server.url)).status).toBe(404);
      const observations = await fhir('GET', 'Observation?patient=kept', undefined, server.url);
      expect(observations.body.entry.map((e: any) => e.resource.id)).toEqual([created.body.id]);
    } finally {
      await server.stop();
    }
  });
});
