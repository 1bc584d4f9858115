// FHIR resources -> the EHR panel's view model. Pure: everything the panel shows is decided here.
import {
  BLOOD_PRESSURE,
  CHARTED_VITALS,
  CONDITION_CLINICAL_SYSTEM,
  GLUCOSE_MG_DL_PER_MMOL_L,
  LOINC,
  NORMAL_BMI,
  VITALS,
  flagFor,
  roundTo,
  type Flag,
  type Range,
  type VitalKind,
} from '@/server/shared/vital-signs';

export type ChartLine = { key: 'value' | 'systolic' | 'diastolic'; normal: Range | null; values: number[] };
/** Aligned series for a chart: `times` in epoch milliseconds, oldest first, one array of values per line. */
export type VitalSeries = { kind: VitalKind; unit: string; times: number[]; lines: ChartLine[] };

export type LatestVital = {
  kind: VitalKind;
  takenAt: string;
  unit: string;
  /** One value, or systolic then diastolic for blood pressure. */
  values: { key: ChartLine['key']; value: number; flag: Flag }[];
  abnormal: boolean;
};

export type EhrChart = {
  patient: { name: string; gender: string | null; birthDate: string | null; age: number | null };
  problems: { id: string; text: string; onset: string | null }[];
  medications: { id: string; name: string; dosage: string | null; since: string | null }[];
  allergies: { id: string; substance: string; reaction: string | null; criticality: string | null }[];
  latestVitals: LatestVital[];
  series: VitalSeries[];
  lastVisit: { date: string | null; reason: string | null; notes: { title: string; date: string | null; text: string }[] } | null;
};

export type ChartSources = {
  patient: fhir4.Patient;
  observations: fhir4.Observation[];
  conditions: fhir4.Condition[];
  medicationRequests: fhir4.MedicationRequest[];
  /** Medications `_include`d by the requests that reference them. */
  medications: fhir4.Medication[];
  allergies: fhir4.AllergyIntolerance[];
  encounters: fhir4.Encounter[];
  documents: fhir4.DocumentReference[];
};

const conceptText = (concept: fhir4.CodeableConcept | undefined): string | null =>
  concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? null;

export function patientName(patient: fhir4.Patient): string {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  if (!name) return '';
  if (name.text) return name.text;
  const family = name.family ?? '';
  const given = (name.given ?? []).join(' ');
  // Chinese names are written family name first, without a space.
  return /[\u4e00-\u9fff]/.test(family + given) ? `${family}${given}` : [given, family].filter(Boolean).join(' ');
}

export function ageOn(birthDate: string, now: Date): number {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number?, number?];
  let age = now.getUTCFullYear() - year;
  const beforeBirthday = now.getUTCMonth() + 1 < (month ?? 1) || (now.getUTCMonth() + 1 === (month ?? 1) && now.getUTCDate() < (day ?? 1));
  if (beforeBirthday) age -= 1;
  return age;
}

const effectiveOf = (o: fhir4.Observation): string | null => o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.effectiveInstant ?? o.issued ?? null;
const codesOf = (concept: fhir4.CodeableConcept | undefined) => (concept?.coding ?? []).map((c) => c.code).filter((c): c is string => !!c);

/** Which vital an Observation is, if it is one the panel knows. */
export function vitalKindOf(observation: fhir4.Observation): VitalKind | 'bodyHeight' | null {
  const codes = codesOf(observation.code);
  if (codes.includes(BLOOD_PRESSURE.code)) return 'bloodPressure';
  if (codes.includes(LOINC.bodyHeight)) return 'bodyHeight';
  for (const definition of Object.values(VITALS)) {
    if (definition.readCodes.some((code) => codes.includes(code))) return definition.kind;
  }
  return null;
}

/** The value in the panel's unit (glucose in mg/dL becomes mmol/L, height in m becomes cm). */
function normalizedValue(kind: VitalKind | 'bodyHeight', quantity: fhir4.Quantity | undefined): number | null {
  if (quantity?.value === undefined || !Number.isFinite(quantity.value)) return null;
  const unit = quantity.code ?? quantity.unit;
  if (kind === 'bloodGlucose' && unit === 'mg/dL') return roundTo(quantity.value / GLUCOSE_MG_DL_PER_MMOL_L, 1);
  if (kind === 'bodyHeight' && unit === 'm') return quantity.value * 100;
  if (kind === 'bodyWeight' && (unit === 'g' || unit === '[lb_av]')) return roundTo(unit === 'g' ? quantity.value / 1000 : quantity.value * 0.45359237, 1);
  return quantity.value;
}

type Reading = { time: number; iso: string; values: Partial<Record<ChartLine['key'], number>> };

function readingOf(kind: VitalKind | 'bodyHeight', observation: fhir4.Observation): Reading | null {
  const iso = effectiveOf(observation);
  const time = iso ? Date.parse(iso) : NaN;
  if (!iso || !Number.isFinite(time)) return null;
  if (kind === 'bloodPressure') {
    const component = (code: string) => observation.component?.find((c) => codesOf(c.code).includes(code))?.valueQuantity?.value;
    const systolic = component(BLOOD_PRESSURE.systolic.code);
    const diastolic = component(BLOOD_PRESSURE.diastolic.code);
    if (systolic === undefined || diastolic === undefined) return null;
    return { time, iso, values: { systolic, diastolic } };
  }
  const value = normalizedValue(kind, observation.valueQuantity);
  return value === null ? null : { time, iso, values: { value } };
}

const UNITS: Record<VitalKind, string> = {
  bloodPressure: BLOOD_PRESSURE.unit.display,
  heartRate: VITALS.heartRate.unit.display,
  oxygenSaturation: VITALS.oxygenSaturation.unit.display,
  bodyTemperature: VITALS.bodyTemperature.unit.display,
  bodyWeight: VITALS.bodyWeight.unit.display,
  bloodGlucose: VITALS.bloodGlucose.unit.display,
};

/** Normal band per line; weight's comes from the latest height (BMI), when there is one. */
function bandsFor(kind: VitalKind, heightCm: number | null): Partial<Record<ChartLine['key'], Range | null>> {
  if (kind === 'bloodPressure') return { systolic: BLOOD_PRESSURE.systolic.normal, diastolic: BLOOD_PRESSURE.diastolic.normal };
  if (kind === 'bodyWeight') {
    if (!heightCm) return { value: null };
    const m2 = (heightCm / 100) ** 2;
    return { value: { min: roundTo(NORMAL_BMI.min * m2, 1), max: roundTo(NORMAL_BMI.max * m2, 1) } };
  }
  return { value: VITALS[kind].normal };
}

const isUsable = (o: fhir4.Observation) => o.status !== 'entered-in-error' && o.status !== 'cancelled';

export function buildVitals(observations: fhir4.Observation[]): { latestVitals: LatestVital[]; series: VitalSeries[] } {
  const byKind = new Map<VitalKind | 'bodyHeight', Reading[]>();
  for (const observation of observations) {
    if (!isUsable(observation)) continue;
    const kind = vitalKindOf(observation);
    if (!kind) continue;
    const reading = readingOf(kind, observation);
    if (!reading) continue;
    const list = byKind.get(kind) ?? [];
    list.push(reading);
    byKind.set(kind, list);
  }
  for (const list of byKind.values()) list.sort((a, b) => a.time - b.time);
  const heights = byKind.get('bodyHeight');
  const heightCm = heights?.length ? (heights[heights.length - 1]!.values.value ?? null) : null;

  const latestVitals: LatestVital[] = [];
  const series: VitalSeries[] = [];
  for (const kind of ['bloodPressure', 'heartRate', 'oxygenSaturation', 'bodyTemperature', 'bloodGlucose', 'bodyWeight'] as const) {
    const readings = byKind.get(kind) ?? [];
    const bands = bandsFor(kind, heightCm);
    const keys = (kind === 'bloodPressure' ? ['systolic', 'diastolic'] : ['value']) as ChartLine['key'][];
    const last = readings[readings.length - 1];
    if (last) {
      const values = keys.map((key) => {
        const value = last.values[key]!;
        return { key, value, flag: flagFor(value, bands[key] ?? null) };
      });
      latestVitals.push({ kind, takenAt: last.iso, unit: UNITS[kind], values, abnormal: values.some((v) => v.flag !== null) });
    }
    if (CHARTED_VITALS.includes(kind)) {
      series.push({
        kind,
        unit: UNITS[kind],
        times: readings.map((r) => r.time),
        lines: keys.map((key) => ({ key, normal: bands[key] ?? null, values: readings.map((r) => r.values[key]!) })),
      });
    }
  }
  return { latestVitals, series };
}

function isActiveCondition(condition: fhir4.Condition): boolean {
  const status = condition.clinicalStatus?.coding?.find((c) => c.system === CONDITION_CLINICAL_SYSTEM)?.code ?? condition.clinicalStatus?.coding?.[0]?.code;
  const refuted = condition.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error' || c.code === 'refuted');
  return !refuted && (status === undefined || status === 'active' || status === 'recurrence' || status === 'relapse');
}

function medicationName(request: fhir4.MedicationRequest, medications: Map<string, fhir4.Medication>): string {
  if (request.medicationCodeableConcept) return conceptText(request.medicationCodeableConcept) ?? '';
  const reference = request.medicationReference?.reference;
  const medication = reference ? (medications.get(reference) ?? medications.get(`Medication/${reference.split('/').pop()}`)) : undefined;
  return conceptText(medication?.code) ?? request.medicationReference?.display ?? '';
}

export function decodeAttachment(attachment: fhir4.Attachment | undefined): string | null {
  if (!attachment?.data) return null;
  if (attachment.contentType && !attachment.contentType.startsWith('text/')) return null;
  return Buffer.from(attachment.data, 'base64').toString('utf8');
}

const encounterDate = (e: fhir4.Encounter) => e.period?.start ?? e.period?.end ?? null;
const byNewest =
  <T>(dateOf: (x: T) => string | null | undefined) =>
  (a: T, b: T) =>
    (Date.parse(dateOf(b) ?? '') || 0) - (Date.parse(dateOf(a) ?? '') || 0);

/** The most recent finished encounter and its notes; without one, the newest note on its own. */
export function buildLastVisit(encounters: fhir4.Encounter[], documents: fhir4.DocumentReference[]): EhrChart['lastVisit'] {
  const finished = encounters.filter((e) => e.status === 'finished').sort(byNewest(encounterDate));
  const current = documents.filter((d) => d.status !== 'entered-in-error').sort(byNewest((d) => d.date ?? d.context?.period?.start));
  const encounter = finished[0];
  const linked = encounter ? current.filter((d) => d.context?.encounter?.some((ref) => ref.reference === `Encounter/${encounter.id}`)) : [];
  const notes = (linked.length ? linked : current.slice(0, 1))
    .map((d) => ({
      title: d.description ?? conceptText(d.type) ?? '',
      date: d.date ?? d.context?.period?.start ?? null,
      text: d.content
        .map((c) => decodeAttachment(c.attachment))
        .filter((t): t is string => !!t)
        .join('\n\n'),
    }))
    .filter((n) => n.text);
  if (!encounter && notes.length === 0) return null;
  const reason = encounter ? encounter.reasonCode?.map(conceptText).filter(Boolean).join(', ') || null : null;
  return { date: encounter ? encounterDate(encounter) : notes[0]!.date, reason, notes };
}

export function buildChart(sources: ChartSources, now: Date): EhrChart {
  const medications = new Map(sources.medications.map((m) => [`Medication/${m.id}`, m]));
  const birthDate = sources.patient.birthDate ?? null;
  return {
    patient: {
      name: patientName(sources.patient),
      gender: sources.patient.gender ?? null,
      birthDate,
      age: birthDate ? ageOn(birthDate, now) : null,
    },
    problems: sources.conditions
      .filter(isActiveCondition)
      .map((c) => ({ id: c.id ?? '', text: conceptText(c.code) ?? '', onset: c.onsetDateTime ?? c.recordedDate ?? null }))
      .sort((a, b) => a.text.localeCompare(b.text)),
    medications: sources.medicationRequests
      .filter((r) => r.status === 'active' || r.status === 'on-hold')
      .map((r) => ({
        id: r.id ?? '',
        name: medicationName(r, medications),
        dosage:
          r.dosageInstruction
            ?.map((d) => d.text)
            .filter(Boolean)
            .join('; ') || null,
        since: r.authoredOn ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    allergies: sources.allergies
      .filter((a) => {
        const status = a.clinicalStatus?.coding?.[0]?.code;
        const refuted = a.verificationStatus?.coding?.some((c) => c.code === 'refuted' || c.code === 'entered-in-error');
        return !refuted && (status === undefined || status === 'active');
      })
      .map((a) => ({
        id: a.id ?? '',
        substance: conceptText(a.code) ?? '',
        reaction:
          a.reaction
            ?.flatMap((r) => r.manifestation.map(conceptText))
            .filter(Boolean)
            .join(', ') || null,
        criticality: a.criticality ?? null,
      })),
    ...buildVitals(sources.observations),
    lastVisit: buildLastVisit(sources.encounters, sources.documents),
  };
}
