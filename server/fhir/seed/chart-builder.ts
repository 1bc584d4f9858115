// Builds a synthetic patient's chart as FHIR resources with fixed ids. Pure and deterministic: the same
// profile, end date and patient id give the same resources, byte for byte, on every run.
import { ALLERGENS, CONDITIONS, MEDICATIONS, NOTE_TYPE, OBSERVATION_CATEGORY, PROCEDURES, SYSTEM, VITAL_SIGNS } from '../codes';
import type { PatientProfile, VitalSeries } from './population';

export const SEED_TAG = { system: 'urn:revisit:seed', code: 'synthetic-v1' } as const;

const CLINIC_OFFSET = '+08:00';
const ORGANIZATION_ID = 'revisit-riverside';
export const PRACTITIONERS = [
  { id: 'revisit-dr-wang', family: '王', given: '芳', latin: 'Wang Fang' },
  { id: 'revisit-dr-chen', family: '陈', given: '明', latin: 'Chen Ming' },
] as const;
const PRACTITIONER_FOR: Record<string, (typeof PRACTITIONERS)[number]> = { zhang: PRACTITIONERS[0], liu: PRACTITIONERS[0], huang: PRACTITIONERS[1] };

export type Chart = { patient: fhir4.Patient; resources: fhir4.FhirResource[] };

/** The clinic and its doctors, referenced by every chart. */
export function sharedResources(): fhir4.FhirResource[] {
  const organization: fhir4.Organization = {
    resourceType: 'Organization',
    id: ORGANIZATION_ID,
    meta: { tag: [SEED_TAG] },
    name: '河畔社区卫生服务中心 Riverside Community Clinic',
    active: true,
  };
  const practitioners: fhir4.Practitioner[] = PRACTITIONERS.map((p) => ({
    resourceType: 'Practitioner',
    id: p.id,
    meta: { tag: [SEED_TAG] },
    active: true,
    name: [{ family: p.family, given: [p.given], text: `${p.family}${p.given} Dr. ${p.latin}` }],
  }));
  return [organization, ...practitioners];
}

/**
 * @param endDate the last day of the record (YYYY-MM-DD); readings run for `profile.months` before it
 * @param patientId defaults to the profile's fixed id; tests pass their own to get an isolated copy
 */
export function buildChart(profile: PatientProfile, options: { endDate: string; patientId: string }): Chart {
  const { patientId } = options;
  const rng = seededRandom(`${profile.key}:${options.endDate}`);
  const days = Math.round((profile.months * 365) / 12);
  const end = Date.parse(`${options.endDate}T00:00:00Z`);
  if (Number.isNaN(end)) throw new Error(`endDate must be YYYY-MM-DD, got ${options.endDate}`);
  const dateOf = (day: number) => new Date(end - (days - 1 - day) * 86_400_000).toISOString().slice(0, 10);
  const at = (day: number, hour: number, minute: number) =>
    `${dateOf(day)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00${CLINIC_OFFSET}`;
  const subject = { reference: `Patient/${patientId}`, display: `${profile.familyName}${profile.givenName} ${profile.latinName}` };
  const doctor = PRACTITIONER_FOR[profile.key] ?? PRACTITIONERS[hash(profile.key) % PRACTITIONERS.length]!;
  const doctorRef = { reference: `Practitioner/${doctor.id}`, display: `${doctor.family}${doctor.given} Dr. ${doctor.latin}` };
  const meta = { tag: [SEED_TAG] };
  const endYear = Number(options.endDate.slice(0, 4));
  const resources: fhir4.FhirResource[] = [];

  const patient: fhir4.Patient = {
    resourceType: 'Patient',
    id: patientId,
    meta,
    identifier: [{ system: SYSTEM.revisitMrn, value: patientId }],
    active: true,
    name: [
      { use: 'official', family: profile.familyName, given: [profile.givenName], text: `${profile.familyName}${profile.givenName}` },
      { use: 'usual', text: profile.latinName },
    ],
    gender: profile.gender,
    birthDate: profile.birthDate,
    ...(profile.phone ? { telecom: [{ system: 'phone', value: profile.phone, use: 'mobile' }] } : {}),
    generalPractitioner: [doctorRef],
    managingOrganization: { reference: `Organization/${ORGANIZATION_ID}` },
  };

  const procedureDay = profile.procedure ? days - 1 - profile.procedure.daysAgo : undefined;

  // Problems.
  for (const condition of profile.conditions) {
    const concept = CONDITIONS[condition.key];
    const onset =
      condition.onsetYearsAgo > 0
        ? `${endYear - condition.onsetYearsAgo}-${String(1 + (hash(condition.key + profile.key) % 12)).padStart(2, '0')}`
        : dateOf(Math.max(0, procedureDay ?? 0));
    const resolved = condition.resolved && procedureDay !== undefined;
    resources.push({
      resourceType: 'Condition',
      id: `${patientId}-condition-${condition.key}`,
      meta,
      clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: resolved ? 'resolved' : 'active' }] },
      verificationStatus: { coding: [{ system: SYSTEM.conditionVerification, code: 'confirmed' }] },
      category: [{ coding: [{ system: SYSTEM.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] }],
      code: codeableConcept(concept),
      subject,
      onsetDateTime: onset,
      ...(resolved ? { abatementDateTime: dateOf(procedureDay) } : {}),
      recordedDate: onset,
      recorder: doctorRef,
    });
  }

  // Medications.
  for (const key of profile.medications) {
    const medication = MEDICATIONS[key];
    const concept = { coding: [{ system: SYSTEM.atc, code: medication.atc, display: medication.atcDisplay }], text: medication.text };
    const asResource = profile.medicationResources?.includes(key);
    if (asResource) {
      resources.push({ resourceType: 'Medication', id: `${patientId}-medication-${key}`, meta, code: concept });
    }
    resources.push({
      resourceType: 'MedicationRequest',
      id: `${patientId}-medication-request-${key}`,
      meta,
      status: 'active',
      intent: 'order',
      ...(asResource
        ? { medicationReference: { reference: `Medication/${patientId}-medication-${key}`, display: medication.text } }
        : { medicationCodeableConcept: concept }),
      subject,
      authoredOn: dateOf(0),
      requester: doctorRef,
      dosageInstruction: [{ text: medication.dosage }],
    });
  }

  // Allergies.
  for (const key of profile.allergies) {
    const allergen = ALLERGENS[key];
    resources.push({
      resourceType: 'AllergyIntolerance',
      id: `${patientId}-allergy-${key}`,
      meta,
      clinicalStatus: { coding: [{ system: SYSTEM.allergyClinical, code: 'active' }] },
      verificationStatus: { coding: [{ system: SYSTEM.allergyVerification, code: 'confirmed' }] },
      type: 'allergy',
      category: [key === 'seafood' ? 'food' : 'medication'],
      criticality: 'low',
      code: {
        ...('snomed' in allergen ? { coding: [{ system: SYSTEM.snomed, code: allergen.snomed.code, display: allergen.snomed.display }] } : {}),
        text: allergen.text,
      },
      patient: subject,
      recordedDate: dateOf(0),
      reaction: [{ manifestation: [{ text: allergen.reaction }] }],
    });
  }

  // Home readings, the patient as performer.
  const recent = new Map<VitalSeries['kind'], { day: number; values: number[] }[]>();
  const valueFor = (s: VitalSeries, day: number) =>
    s.from.map((from, i) => {
      const trend = from + ((s.to[i]! - from) * day) / Math.max(1, days - 1);
      const episode = (profile.episodes ?? [])
        .filter((e) => e.kind === s.kind && day >= e.startDay && day < e.startDay + e.days)
        .reduce((sum, e) => sum + (e.add[i] ?? 0), 0);
      return round(trend + episode + gaussian(rng) * s.noise[i]!, s.decimals);
    });
  for (let day = 0; day < days; day++) {
    for (const s of profile.home) {
      if (day % s.everyDays !== 0 || rng() > s.chance) continue;
      const values = clampVital(s.kind, valueFor(s, day));
      const when = at(day, 7, Math.floor(rng() * 90) % 60);
      resources.push(vitalObservation(`${patientId}-home-${s.kind}-${day}`, s.kind, values, when, { subject, meta, performer: subject }));
      const list = recent.get(s.kind) ?? [];
      list.push({ day, values });
      recent.set(s.kind, list);
    }
  }

  // The operation, if any, with its inpatient stay and discharge note.
  if (profile.procedure && procedureDay !== undefined && procedureDay >= 0) {
    const procedure = PROCEDURES[profile.procedure.key];
    const encounterId = `${patientId}-encounter-surgery`;
    resources.push({
      resourceType: 'Encounter',
      id: encounterId,
      meta,
      status: 'finished',
      class: { system: SYSTEM.actCode, code: 'IMP', display: 'inpatient encounter' },
      type: [{ text: '住院手术 Surgical admission' }],
      subject,
      participant: [{ individual: doctorRef }],
      period: { start: at(Math.max(0, procedureDay - 1), 8, 0), end: at(Math.min(days - 1, procedureDay + 2), 10, 0) },
      reasonCode: [codeableConcept(CONDITIONS.gallstones)],
      serviceProvider: { reference: `Organization/${ORGANIZATION_ID}` },
    });
    resources.push({
      resourceType: 'Procedure',
      id: `${patientId}-procedure-${profile.procedure.key}`,
      meta,
      status: 'completed',
      code: { coding: [{ system: SYSTEM.snomed, code: procedure.snomed.code, display: procedure.snomed.display }], text: procedure.text },
      subject,
      encounter: { reference: `Encounter/${encounterId}` },
      performedDateTime: at(procedureDay, 9, 30),
    });
    resources.push(
      note(`${patientId}-note-surgery`, {
        subject,
        meta,
        author: doctorRef,
        encounterId,
        date: at(Math.min(days - 1, procedureDay + 2), 10, 0),
        title: '出院小结 Discharge summary',
        text: `腹腔镜胆囊切除术顺利，术后恢复良好。出院后每日测体温、心率，伤口保持干燥，两周后复诊。\nUncomplicated laparoscopic cholecystectomy. Discharged on day 2. Check temperature and heart rate daily at home, keep the wounds dry, follow-up visit in two weeks.`,
      }),
    );
  }

  // Clinic visits: an Encounter, clinic vitals and a progress note each.
  const visitDays: number[] = [];
  for (let day = days - 1 - profile.visitEveryDays; day >= 0; day -= profile.visitEveryDays) visitDays.unshift(day);
  visitDays.forEach((day, index) => {
    const encounterId = `${patientId}-encounter-${index + 1}`;
    const start = at(day, 9 + (index % 3), 0);
    resources.push({
      resourceType: 'Encounter',
      id: encounterId,
      meta,
      status: 'finished',
      class: { system: SYSTEM.actCode, code: 'AMB', display: 'ambulatory' },
      type: [{ text: '复诊 Follow-up visit' }],
      subject,
      participant: [{ type: [{ coding: [{ system: SYSTEM.participationType, code: 'PPRF', display: 'primary performer' }] }], individual: doctorRef }],
      period: { start, end: at(day, 9 + (index % 3), 20) },
      reasonCode: profile.conditions.filter((c) => !c.resolved).map((c) => codeableConcept(CONDITIONS[c.key])),
      serviceProvider: { reference: `Organization/${ORGANIZATION_ID}` },
    });
    const measured: Partial<Record<VitalSeries['kind'], number[]>> = {};
    for (const kind of profile.clinicVitals) {
      const s = profile.home.find((h) => h.kind === kind) ?? CLINIC_DEFAULTS[kind];
      const values = clampVital(kind, valueFor(s, day));
      measured[kind] = values;
      resources.push(vitalObservation(`${encounterId}-${kind}`, kind, values, start, { subject, meta, performer: doctorRef, encounterId }));
    }
    resources.push(
      note(`${encounterId}-note`, {
        subject,
        meta,
        author: doctorRef,
        encounterId,
        date: at(day, 9 + (index % 3), 20),
        title: '复诊记录 Follow-up note',
        text: visitNote(profile, measured, averages(recent, day)),
      }),
    );
  });

  return { patient, resources };
}

const CLINIC_DEFAULTS: Record<VitalSeries['kind'], VitalSeries> = {
  bloodPressure: { kind: 'bloodPressure', everyDays: 1, chance: 1, from: [128, 80], to: [128, 80], noise: [6, 4], decimals: 0 },
  heartRate: { kind: 'heartRate', everyDays: 1, chance: 1, from: [74], to: [74], noise: [5], decimals: 0 },
  oxygenSaturation: { kind: 'oxygenSaturation', everyDays: 1, chance: 1, from: [97], to: [97], noise: [1], decimals: 0 },
  bodyTemperature: { kind: 'bodyTemperature', everyDays: 1, chance: 1, from: [36.6], to: [36.6], noise: [0.2], decimals: 1 },
  bodyWeight: { kind: 'bodyWeight', everyDays: 1, chance: 1, from: [70], to: [70], noise: [0.4], decimals: 1 },
  bloodGlucose: { kind: 'bloodGlucose', everyDays: 1, chance: 1, from: [6.5], to: [6.5], noise: [0.6], decimals: 1 },
};

function averages(recent: Map<VitalSeries['kind'], { day: number; values: number[] }[]>, day: number) {
  const result: Partial<Record<VitalSeries['kind'], number[]>> = {};
  for (const [kind, list] of recent) {
    const window = list.filter((r) => r.day < day && r.day >= day - 14);
    if (!window.length) continue;
    result[kind] = window[0]!.values.map((_, i) => round(window.reduce((sum, r) => sum + r.values[i]!, 0) / window.length, 1));
  }
  return result;
}

function visitNote(
  profile: PatientProfile,
  clinic: Partial<Record<VitalSeries['kind'], number[]>>,
  home: Partial<Record<VitalSeries['kind'], number[]>>,
): string {
  const lines: string[] = [];
  const bp = clinic.bloodPressure;
  const homeBp = home.bloodPressure;
  if (bp) lines.push(`诊室血压 ${bp[0]}/${bp[1]} mmHg. Clinic BP ${bp[0]}/${bp[1]} mmHg.`);
  if (homeBp)
    lines.push(
      `近两周家庭血压平均 ${Math.round(homeBp[0]!)}/${Math.round(homeBp[1]!)} mmHg. Home BP average (2 weeks) ${Math.round(homeBp[0]!)}/${Math.round(homeBp[1]!)} mmHg.`,
    );
  if (home.bloodGlucose) lines.push(`空腹血糖平均 ${home.bloodGlucose[0]} mmol/L. Fasting glucose average ${home.bloodGlucose[0]} mmol/L.`);
  if (home.oxygenSaturation) lines.push(`家庭血氧平均 ${home.oxygenSaturation[0]}%. Home SpO2 average ${home.oxygenSaturation[0]}%.`);
  if (clinic.bodyWeight) lines.push(`体重 ${clinic.bodyWeight[0]} kg. Weight ${clinic.bodyWeight[0]} kg.`);
  const plan: Record<PatientProfile['focus'], string> = {
    hypertension:
      '评估：血压控制逐步改善。计划：继续当前降压药，低盐饮食，每日早晨测量血压，三个月后复诊。\nAssessment: blood pressure improving. Plan: continue current antihypertensive, low-salt diet, home BP every morning, review in 3 months.',
    diabetes:
      '评估：血糖控制改善中。计划：继续当前降糖方案，控制饮食，规律运动，每日测空腹血糖，复查糖化血红蛋白。\nAssessment: glycaemic control improving. Plan: continue current regimen, diet and exercise, daily fasting glucose, repeat HbA1c.',
    copd: '评估：慢阻肺病情稳定，无明显气促加重。计划：继续吸入治疗，戒烟随访，每日测血氧，低于90%及时就诊。\nAssessment: COPD stable. Plan: continue inhaled therapy, smoking cessation support, daily SpO2, seek care if below 90%.',
    postSurgery:
      '评估：术后恢复良好，伤口愈合，无发热。计划：逐步恢复正常饮食与活动，必要时服用止痛药。\nAssessment: recovering well after surgery, wounds healed, afebrile. Plan: resume normal diet and activity, analgesia as needed.',
  };
  lines.push(plan[profile.focus]);
  return lines.join('\n');
}

function vitalObservation(
  id: string,
  kind: VitalSeries['kind'],
  values: number[],
  when: string,
  context: { subject: fhir4.Reference; meta: fhir4.Meta; performer: fhir4.Reference; encounterId?: string },
): fhir4.Observation {
  const isLab = kind === 'bloodGlucose';
  const base: fhir4.Observation = {
    resourceType: 'Observation',
    id,
    meta: context.meta,
    status: 'final',
    category: [
      {
        coding: [{ system: SYSTEM.observationCategory, code: isLab ? OBSERVATION_CATEGORY.laboratory : OBSERVATION_CATEGORY.vitalSigns }],
      },
    ],
    code: { coding: [] },
    subject: context.subject,
    ...(context.encounterId ? { encounter: { reference: `Encounter/${context.encounterId}` } } : {}),
    effectiveDateTime: when,
    performer: [context.performer],
  };
  if (kind === 'bloodPressure') {
    const def = VITAL_SIGNS.bloodPressure;
    return {
      ...base,
      code: { coding: [{ system: SYSTEM.loinc, code: def.loinc, display: def.display }], text: '血压 Blood pressure' },
      component: [
        {
          code: { coding: [{ system: SYSTEM.loinc, code: VITAL_SIGNS.systolic.loinc, display: VITAL_SIGNS.systolic.display }] },
          valueQuantity: quantity(values[0]!, VITAL_SIGNS.systolic),
        },
        {
          code: { coding: [{ system: SYSTEM.loinc, code: VITAL_SIGNS.diastolic.loinc, display: VITAL_SIGNS.diastolic.display }] },
          valueQuantity: quantity(values[1]!, VITAL_SIGNS.diastolic),
        },
      ],
    };
  }
  const def = VITAL_SIGNS[kind];
  return {
    ...base,
    code: { coding: [{ system: SYSTEM.loinc, code: def.loinc, display: def.display }], text: def.display },
    valueQuantity: quantity(values[0]!, def),
  };
}

function quantity(value: number, def: { unit: string; ucum: string }): fhir4.Quantity {
  return { value, unit: def.unit, system: SYSTEM.ucum, code: def.ucum };
}

function note(
  id: string,
  input: { subject: fhir4.Reference; meta: fhir4.Meta; author: fhir4.Reference; encounterId: string; date: string; title: string; text: string },
): fhir4.DocumentReference {
  return {
    resourceType: 'DocumentReference',
    id,
    meta: input.meta,
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: SYSTEM.loinc, code: NOTE_TYPE.progressNote.loinc, display: NOTE_TYPE.progressNote.display }], text: input.title },
    subject: input.subject,
    date: new Date(input.date).toISOString(),
    author: [input.author],
    description: input.title,
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          language: 'zh-CN',
          title: input.title,
          data: Buffer.from(input.text, 'utf8').toString('base64'),
        },
      },
    ],
    context: { encounter: [{ reference: `Encounter/${input.encounterId}` }], period: { start: input.date } },
  };
}

function codeableConcept(concept: {
  text: string;
  snomed?: { code: string; display: string };
  icd10?: { code: string; display: string };
}): fhir4.CodeableConcept {
  const coding: fhir4.Coding[] = [];
  if (concept.snomed) coding.push({ system: SYSTEM.snomed, code: concept.snomed.code, display: concept.snomed.display });
  if (concept.icd10) coding.push({ system: SYSTEM.icd10, code: concept.icd10.code, display: concept.icd10.display });
  return { coding, text: concept.text };
}

/** Keeps synthetic readings inside what a real device could show. */
function clampVital(kind: VitalSeries['kind'], values: number[]): number[] {
  if (kind === 'oxygenSaturation') return values.map((v) => Math.min(100, Math.max(80, v)));
  if (kind === 'bloodPressure') return [values[0]!, Math.min(values[1]!, values[0]! - 20)];
  return values;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** mulberry32: small, fast and the same on every platform. */
function seededRandom(seed: string): () => number {
  let state = hash(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
