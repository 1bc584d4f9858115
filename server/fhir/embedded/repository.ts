// The embedded server's store: Medplum's MemoryRepository plus what a clinic-facing FHIR server needs
// and the bare one lacks: validation of every write, an append-only journal on disk (data survives a
// restart), all-or-nothing transactions, a patient index so per-patient searches do not scan every
// resource, bare patient ids in reference searches, sorting on precomputed keys and `_include`.
import {
  badRequest,
  deepClone,
  evalFhirPath,
  getSearchParameter,
  matchesSearchRequest,
  Operator,
  OperationOutcomeError,
  validateResource,
  type Filter,
  type IncludeTarget,
  type SearchRequest,
  type SortRule,
  type WithId,
} from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, Reference, Resource } from '@medplum/fhirtypes';
import { Journal, type JournalRecord } from './journal';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

/** Reference search parameters answered from the index instead of evaluating FHIRPath on every resource. */
const INDEXED_REFERENCE_PARAMS = ['patient', 'subject'] as const;

type Store = {
  resources: Map<string, Map<string, Resource>>;
  history: Map<string, Map<string, Resource[]>>;
};

type UndoStep = { resourceType: string; id: string; previous: Resource | undefined };

export class EmbeddedRepository extends MemoryRepository {
  private readonly journal: Journal | undefined;
  /** `${resourceType}|patient|${reference}`, `…|subject|…`, `${resourceType}|identifier|${system or *}|${value}` -> ids. */
  private readonly referenceIndex = new Map<string, Set<string>>();
  /** The references each stored resource was indexed under, to unindex it on change. */
  private readonly indexedKeys = new Map<string, string[]>();
  private transaction: { undo: UndoStep[]; records: JournalRecord[] } | undefined;
  private replaying = false;

  constructor(options: { journal?: Journal } = {}) {
    super();
    this.journal = options.journal;
  }

  /** Loads the journal's records into memory and compacts the journal; call once before serving. */
  async load(): Promise<number> {
    if (!this.journal) return 0;
    this.replaying = true;
    let count = 0;
    try {
      for (const record of this.journal.read()) {
        await this.applyRecord(record);
        count++;
      }
    } finally {
      this.replaying = false;
    }
    this.journal.compact(this.allResources());
    return count;
  }

  private async applyRecord(record: JournalRecord): Promise<void> {
    if (record.op === 'put') this.storeUnchecked(record.resource);
    else if (record.op === 'delete') this.removeUnchecked(record.resourceType, record.id);
    else for (const inner of record.records) await this.applyRecord(inner);
  }

  private get store(): Store {
    return this as unknown as Store;
  }

  private allResources(): Resource[] {
    return [...this.store.resources.values()].flatMap((byId) => [...byId.values()]);
  }

  // --- writes -----------------------------------------------------------------------------------

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    if (!this.replaying) validate(resource);
    const previous = resource.id ? this.peek(resource.resourceType, resource.id) : undefined;
    const stored = await super.createResource(resource);
    this.reindex(stored);
    this.recordChange({ resourceType: stored.resourceType, id: stored.id, previous }, { op: 'put', resource: stored });
    return stored;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    const previous = this.peek(resourceType, id);
    await super.deleteResource(resourceType, id);
    this.unindex(resourceType, id);
    this.recordChange({ resourceType, id, previous }, { op: 'delete', resourceType, id });
  }

  /** Replay: the object was just parsed from the journal and is owned here, so it is stored as it is. */
  private storeUnchecked(resource: Resource): void {
    const { resourceType, id } = resource as Resource & { id: string };
    let byId = this.store.resources.get(resourceType);
    if (!byId) this.store.resources.set(resourceType, (byId = new Map()));
    byId.set(id, resource);
    let histories = this.store.history.get(resourceType);
    if (!histories) this.store.history.set(resourceType, (histories = new Map()));
    const versions = histories.get(id);
    if (versions) versions.push(resource);
    else histories.set(id, [resource]);
    this.reindex(resource);
  }

  private removeUnchecked(resourceType: string, id: string): void {
    this.store.resources.get(resourceType)?.delete(id);
    this.store.history.get(resourceType)?.delete(id);
    this.unindex(resourceType, id);
  }

  private recordChange(undo: UndoStep, record: JournalRecord): void {
    if (this.replaying) return;
    if (this.transaction) {
      this.transaction.undo.push(undo);
      this.transaction.records.push(record);
    } else {
      this.journal?.append(record);
    }
  }

  /** The stored version without copying it (never handed out). */
  private peek(resourceType: string, id: string): Resource | undefined {
    return this.store.resources.get(resourceType)?.get(id);
  }

  /**
   * All-or-nothing: every change made inside `callback` is journaled as one record when it succeeds,
   * and undone in memory (nothing journaled) when it throws.
   */
  override async withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    if (this.transaction) return callback(undefined);
    const transaction = { undo: [] as UndoStep[], records: [] as JournalRecord[] };
    this.transaction = transaction;
    try {
      const result = await callback(undefined);
      this.transaction = undefined;
      if (transaction.records.length) this.journal?.append({ op: 'transaction', records: transaction.records });
      return result;
    } catch (error) {
      this.transaction = undefined;
      this.rollBack(transaction.undo);
      throw error;
    }
  }

  private rollBack(undo: UndoStep[]): void {
    for (const step of [...undo].reverse()) {
      const versions = this.store.history.get(step.resourceType)?.get(step.id);
      if (step.previous) {
        if (versions?.at(-1) !== step.previous) versions?.pop();
        let byId = this.store.resources.get(step.resourceType);
        if (!byId) this.store.resources.set(step.resourceType, (byId = new Map()));
        byId.set(step.id, step.previous);
        this.reindex(step.previous);
      } else {
        this.removeUnchecked(step.resourceType, step.id);
      }
    }
  }

  // --- index ------------------------------------------------------------------------------------

  private reindex(resource: Resource): void {
    const key = `${resource.resourceType}/${resource.id}`;
    this.unindex(resource.resourceType, resource.id as string);
    const keys: string[] = [];
    for (const code of INDEXED_REFERENCE_PARAMS) {
      const param = getSearchParameter(resource.resourceType, code);
      if (!param?.expression) continue;
      for (const reference of indexedReferences(param.expression, resource)) {
        const indexKey = `${resource.resourceType}|${code}|${reference}`;
        let ids = this.referenceIndex.get(indexKey);
        if (!ids) this.referenceIndex.set(indexKey, (ids = new Set()));
        ids.add(resource.id as string);
        keys.push(indexKey);
      }
    }
    for (const identifier of (resource as { identifier?: { system?: string; value?: string }[] }).identifier ?? []) {
      if (!identifier.value) continue;
      for (const system of [identifier.system ?? '', '*']) {
        const indexKey = `${resource.resourceType}|identifier|${system}|${identifier.value}`;
        let ids = this.referenceIndex.get(indexKey);
        if (!ids) this.referenceIndex.set(indexKey, (ids = new Set()));
        ids.add(resource.id as string);
        keys.push(indexKey);
      }
    }
    if (keys.length) this.indexedKeys.set(key, keys);
  }

  private unindex(resourceType: string, id: string): void {
    const key = `${resourceType}/${id}`;
    for (const indexKey of this.indexedKeys.get(key) ?? []) this.referenceIndex.get(indexKey)?.delete(id);
    this.indexedKeys.delete(key);
  }

  // --- search -----------------------------------------------------------------------------------

  override async search<T extends Resource>(searchRequest: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const request: SearchRequest<T> = { ...searchRequest, filters: searchRequest.filters?.map((f) => normalizeFilter(searchRequest.resourceType, f)) };
    const { candidates, remaining } = this.candidatesFor(request);
    const matches = remaining.length ? candidates.filter((resource) => matchesSearchRequest(resource, { ...request, filters: remaining })) : candidates;
    const sorted = request.sortRules?.length ? sortResources(matches, request.sortRules) : matches;
    const offset = Math.max(0, request.offset ?? 0);
    const count = Math.min(MAX_PAGE_SIZE, Math.max(0, request.count ?? DEFAULT_PAGE_SIZE));
    const page = sorted.slice(offset, offset + count);
    const entry: BundleEntry<WithId<T>>[] = page.map((resource) => ({
      fullUrl: `${resource.resourceType}/${resource.id}`,
      resource: deepClone(resource) as WithId<T>,
      search: { mode: 'match' },
    }));
    if (request.include?.length) entry.push(...(this.included(page, request.include) as BundleEntry<WithId<T>>[]));
    if (request.revInclude?.length) entry.push(...(this.revIncluded(page, request.revInclude, entry) as BundleEntry<WithId<T>>[]));
    return { resourceType: 'Bundle', type: 'searchset', total: matches.length, ...(entry.length ? { entry } : {}) };
  }

  /**
   * Narrows by an indexed filter when there is one (patient, subject, identifier; equality only); the
   * other filters still apply.
   */
  private candidatesFor(request: SearchRequest): { candidates: Resource[]; remaining: Filter[] } {
    const filters = request.filters ?? [];
    const byId = this.store.resources.get(request.resourceType);
    if (!byId) return { candidates: [], remaining: [] };
    const indexed = filters.findIndex((f) => indexKeysFor(request.resourceType, f) !== undefined);
    if (indexed < 0) return { candidates: [...byId.values()], remaining: filters };
    const ids = new Set<string>();
    for (const indexKey of indexKeysFor(request.resourceType, filters[indexed] as Filter) ?? []) {
      for (const id of this.referenceIndex.get(indexKey) ?? []) ids.add(id);
    }
    // Index order (the order resources were last written in) keeps unsorted pages stable.
    const candidates: Resource[] = [];
    for (const id of ids) {
      const resource = byId.get(id);
      if (resource) candidates.push(resource);
    }
    return { candidates, remaining: filters.filter((_, i) => i !== indexed) };
  }

  private included(matches: Resource[], targets: IncludeTarget[]): BundleEntry[] {
    const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
    const entries: BundleEntry[] = [];
    for (const target of targets) {
      for (const resource of matches) {
        if (target.resourceType !== resource.resourceType && target.resourceType !== '*') continue;
        const param = getSearchParameter(resource.resourceType, target.searchParam);
        if (param?.type !== 'reference' || !param.expression) continue;
        for (const reference of indexedReferences(param.expression, resource)) {
          const [type, id] = reference.split('/');
          if (!type || !id || seen.has(reference)) continue;
          if (target.targetType && target.targetType !== type) continue;
          const found = this.peek(type, id);
          if (!found) continue;
          seen.add(reference);
          entries.push({ fullUrl: reference, resource: deepClone(found), search: { mode: 'include' } });
        }
      }
    }
    return entries;
  }

  /** `_revinclude=DocumentReference:encounter`: resources of that type whose parameter points at a match. */
  private revIncluded(matches: Resource[], targets: IncludeTarget[], already: BundleEntry[]): BundleEntry[] {
    const matchRefs = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
    const seen = new Set(already.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`));
    const entries: BundleEntry[] = [];
    if (matchRefs.size === 0) return entries;
    for (const target of targets) {
      const param = getSearchParameter(target.resourceType, target.searchParam);
      if (param?.type !== 'reference' || !param.expression) continue;
      for (const resource of this.store.resources.get(target.resourceType)?.values() ?? []) {
        const key = `${resource.resourceType}/${resource.id}`;
        if (seen.has(key)) continue;
        if (!indexedReferences(param.expression, resource).some((reference) => matchRefs.has(reference))) continue;
        seen.add(key);
        entries.push({ fullUrl: key, resource: deepClone(resource), search: { mode: 'include' } });
      }
    }
    return entries;
  }
}

function validate(resource: Resource): void {
  if (!resource || typeof resource !== 'object' || typeof resource.resourceType !== 'string') {
    throw new OperationOutcomeError(badRequest('The body is not a FHIR resource (no resourceType)'));
  }
  // Throws an OperationOutcomeError listing every structural problem (missing required elements,
  // unknown properties, wrong types, bad codes for required bindings).
  validateResource(resource);
}

/** `patient=123` means `patient=Patient/123`; other single-target references get their type too. */
function normalizeFilter(resourceType: string, filter: Filter): Filter {
  const param = getSearchParameter(resourceType, filter.code);
  if (param?.type !== 'reference') return filter;
  const targets = param.target ?? [];
  const defaultType =
    targets.includes('Patient' as never) && ['patient', 'subject'].includes(filter.code) ? 'Patient' : targets.length === 1 ? targets[0] : undefined;
  if (!defaultType) return filter;
  const value = filter.value
    .split(',')
    .map((v) => (v.includes('/') || v.includes(':') || v === '' ? v : `${defaultType}/${v}`))
    .join(',');
  return { ...filter, value };
}

/** The index keys answering a filter, or undefined when the filter is not one the index can answer. */
function indexKeysFor(resourceType: string, filter: Filter): string[] | undefined {
  if (filter.operator !== Operator.EQUALS || filter.value === '') return undefined;
  const values = filter.value.split(',');
  if ((INDEXED_REFERENCE_PARAMS as readonly string[]).includes(filter.code)) {
    return values.map((reference) => `${resourceType}|${filter.code}|${reference}`);
  }
  // Only where the parameter is exactly the `identifier` element (DocumentReference's also covers masterIdentifier).
  if (filter.code === 'identifier' && getSearchParameter(resourceType, 'identifier')?.expression === `${resourceType}.identifier`) {
    return values.map((token) => {
      const bar = token.indexOf('|');
      return bar < 0 ? `${resourceType}|identifier|*|${token}` : `${resourceType}|identifier|${token.slice(0, bar)}|${token.slice(bar + 1)}`;
    });
  }
  return undefined;
}

/** `Type.field` or `Type.field.where(resolve() is Patient)`: read directly, without a FHIRPath evaluation. */
const SIMPLE_REFERENCE = /^(\w+)\.(\w+)(\.where\(resolve\(\) is (\w+)\))?$/;

/** The references a resource is indexed under (the hot path of every write and of a restart). */
function indexedReferences(expression: string, resource: Resource): string[] {
  const simple = SIMPLE_REFERENCE.exec(expression);
  if (!simple || simple[1] !== resource.resourceType) return referencesOf(evalFhirPath(expression, resource));
  const value = (resource as unknown as Record<string, unknown>)[simple[2] as string];
  const references = referencesOf(Array.isArray(value) ? value : value === undefined ? [] : [value]);
  const onlyType = simple[4];
  return onlyType ? references.filter((reference) => reference.startsWith(`${onlyType}/`)) : references;
}

function referencesOf(values: unknown[]): string[] {
  const references: string[] = [];
  for (const value of values) {
    const reference = (value as Reference | undefined)?.reference;
    if (typeof reference === 'string') references.push(reference);
  }
  return references;
}

function sortResources<T extends Resource>(resources: T[], rules: SortRule[]): T[] {
  const keyed = resources.map((resource) => ({
    resource,
    keys: rules.map((rule) => sortKey(resource, rule.code)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < rules.length; i++) {
      const order = compareKeys(a.keys[i], b.keys[i]);
      if (order !== 0) return (rules[i] as SortRule).descending ? -order : order;
    }
    return 0;
  });
  return keyed.map((k) => k.resource);
}

function sortKey(resource: Resource, code: string): string | undefined {
  if (code === '_lastUpdated') return resource.meta?.lastUpdated;
  if (code === '_id') return resource.id;
  const param = getSearchParameter(resource.resourceType, code);
  if (!param?.expression) return undefined;
  const first = evalFhirPath(param.expression, resource)[0];
  if (first === undefined || first === null) return undefined;
  if (typeof first === 'string' || typeof first === 'number') return String(first);
  const value = first as { start?: string; end?: string; value?: number; text?: string; coding?: { code?: string }[]; reference?: string };
  if (value.start ?? value.end) return value.start ?? value.end;
  if (typeof value.value === 'number') return String(value.value).padStart(20, '0');
  return value.reference ?? value.coding?.[0]?.code ?? value.text ?? JSON.stringify(first);
}

/** Missing values sort last, as most FHIR servers do. */
function compareKeys(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}
