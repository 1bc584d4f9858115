// How FHIR failures become domain errors (pure mapping; the HTTP paths are in gateway.int.test.ts).
import { describe, expect, it } from 'vitest';
import { outcomeMessage, toDomainError } from './gateway';

const httpError = (status: number, data: unknown = {}) => Object.assign(new Error(`HTTP ${status}`), { response: { status, data } });
const outcome = (text: string, expression?: string[]): fhir4.OperationOutcome => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'invalid', details: { text }, ...(expression ? { expression } : {}) }],
});

describe('FHIR errors as domain errors', () => {
  it.each([
    [404, 'NOT_FOUND', 'fhirNotFound'],
    [410, 'NOT_FOUND', 'fhirNotFound'],
    [400, 'BAD_REQUEST', 'fhirInvalid'],
    [422, 'BAD_REQUEST', 'fhirInvalid'],
    [409, 'CONFLICT', 'fhirConflict'],
    [412, 'CONFLICT', 'fhirConflict'],
    [401, 'UNAVAILABLE', 'fhirUnauthorized'],
    [403, 'UNAVAILABLE', 'fhirUnauthorized'],
    [429, 'UNAVAILABLE', 'fhirUnavailable'],
    [500, 'UNAVAILABLE', 'fhirUnavailable'],
    [503, 'UNAVAILABLE', 'fhirUnavailable'],
  ])('HTTP %i -> %s (%s)', (status, code, reason) => {
    const error = toDomainError(httpError(status), 'Patient/1');
    expect(error.code).toBe(code);
    expect(error.reason).toBe(reason);
  });

  it('uses the OperationOutcome diagnostics as the message of a validation error', () => {
    const error = toDomainError(httpError(400, outcome('Missing required property', ['Observation.code'])), 'Observation create');
    expect(error.message).toBe('Missing required property (Observation.code)');
    const several: fhir4.OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'warning', code: 'informational', diagnostics: 'ignored' },
        { severity: 'error', code: 'value', diagnostics: 'Invalid date' },
        { severity: 'fatal', code: 'structure', diagnostics: 'Bad JSON' },
      ],
    };
    expect(outcomeMessage(several)).toBe('Invalid date; Bad JSON');
    expect(outcomeMessage({ resourceType: 'Patient' })).toBeUndefined();
  });

  it('treats network failures and timeouts as the server being unavailable', () => {
    const refused = toDomainError(new TypeError('fetch failed'), 'Patient/1');
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', reason: 'fhirUnavailable' });
    expect(refused.message).toContain('cannot be reached');
    const timedOut = toDomainError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'Patient/1');
    expect(timedOut).toMatchObject({ code: 'UNAVAILABLE', reason: 'fhirUnavailable' });
    expect(timedOut.message).toContain('did not answer in time');
  });
});
