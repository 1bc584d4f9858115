// Code systems and the codes the portal reads and writes. One place; no code string elsewhere.
export const SYSTEM = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  ucum: 'http://unitsofmeasure.org',
  atc: 'http://www.whocc.no/atc',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  /** The portal's own medical record numbers for synthetic patients. */
  revisitMrn: 'urn:revisit:mrn',
} as const;

export type VitalSignKind = 'bloodPressure' | 'heartRate' | 'oxygenSaturation' | 'bodyTemperature' | 'bodyWeight' | 'bloodGlucose';

export type QuantityDefinition = { loinc: string; display: string; unit: string; ucum: string };

/** LOINC codes and UCUM units of the vitals (blood pressure is a panel with two components). */
export const VITAL_SIGNS = {
  bloodPressure: { loinc: '85354-9', display: 'Blood pressure panel with all children optional', unit: 'mm[Hg]', ucum: 'mm[Hg]' },
  systolic: { loinc: '8480-6', display: 'Systolic blood pressure', unit: 'mmHg', ucum: 'mm[Hg]' },
  diastolic: { loinc: '8462-4', display: 'Diastolic blood pressure', unit: 'mmHg', ucum: 'mm[Hg]' },
  heartRate: { loinc: '8867-4', display: 'Heart rate', unit: '/min', ucum: '/min' },
  oxygenSaturation: { loinc: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', unit: '%', ucum: '%' },
  bodyTemperature: { loinc: '8310-5', display: 'Body temperature', unit: '°C', ucum: 'Cel' },
  bodyWeight: { loinc: '29463-7', display: 'Body weight', unit: 'kg', ucum: 'kg' },
  /** Home meters in China report mmol/L. */
  bloodGlucose: { loinc: '15074-8', display: 'Glucose [Moles/volume] in Blood', unit: 'mmol/L', ucum: 'mmol/L' },
  bloodGlucoseMass: { loinc: '2339-0', display: 'Glucose [Mass/volume] in Blood', unit: 'mg/dL', ucum: 'mg/dL' },
} as const satisfies Record<string, QuantityDefinition>;

/** SpO2 is also coded 2708-6 by many devices; searches should accept both. */
export const OXYGEN_SATURATION_ALT_LOINC = '2708-6';

export const OBSERVATION_CATEGORY = { vitalSigns: 'vital-signs', laboratory: 'laboratory' } as const;

export const NOTE_TYPE = { progressNote: { loinc: '11506-3', display: 'Progress note' } } as const;

export type CodedConcept = { text: string; snomed?: { code: string; display: string }; icd10?: { code: string; display: string } };

export const CONDITIONS = {
  hypertension: {
    text: '高血压 Hypertension',
    snomed: { code: '38341003', display: 'Hypertensive disorder, systemic arterial' },
    icd10: { code: 'I10', display: 'Essential (primary) hypertension' },
  },
  type2Diabetes: {
    text: '2型糖尿病 Type 2 diabetes mellitus',
    snomed: { code: '44054006', display: 'Diabetes mellitus type 2' },
    icd10: { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
  },
  copd: {
    text: '慢性阻塞性肺疾病 COPD',
    snomed: { code: '13645005', display: 'Chronic obstructive lung disease' },
    icd10: { code: 'J44.9', display: 'Chronic obstructive pulmonary disease, unspecified' },
  },
  hyperlipidemia: {
    text: '高脂血症 Hyperlipidaemia',
    snomed: { code: '55822004', display: 'Hyperlipidemia' },
    icd10: { code: 'E78.5', display: 'Hyperlipidaemia, unspecified' },
  },
  gallstones: {
    text: '胆囊结石 Gallstones',
    snomed: { code: '235919008', display: 'Calculus of gallbladder' },
    icd10: { code: 'K80.20', display: 'Calculus of gallbladder without cholecystitis without obstruction' },
  },
  surgicalAftercare: {
    text: '腹腔镜胆囊切除术后 After laparoscopic cholecystectomy',
    icd10: { code: 'Z48.815', display: 'Encounter for surgical aftercare following surgery on the digestive system' },
  },
} as const satisfies Record<string, CodedConcept>;

export const PROCEDURES = {
  laparoscopicCholecystectomy: { text: '腹腔镜胆囊切除术 Laparoscopic cholecystectomy', snomed: { code: '45595009', display: 'Laparoscopic cholecystectomy' } },
} as const;

export type MedicationDefinition = { text: string; atc: string; atcDisplay: string; dosage: string };

export const MEDICATIONS = {
  amlodipine: { text: '氨氯地平 Amlodipine 5 mg tablet', atc: 'C08CA01', atcDisplay: 'amlodipine', dosage: '每日一次，每次1片 5 mg once daily' },
  losartan: { text: '氯沙坦 Losartan 50 mg tablet', atc: 'C09CA01', atcDisplay: 'losartan', dosage: '每日一次，每次1片 50 mg once daily' },
  metformin: {
    text: '二甲双胍 Metformin 500 mg tablet',
    atc: 'A10BA02',
    atcDisplay: 'metformin',
    dosage: '每日两次，每次1片，随餐 500 mg twice daily with meals',
  },
  insulinGlargine: {
    text: '甘精胰岛素 Insulin glargine 100 U/mL pen',
    atc: 'A10AE04',
    atcDisplay: 'insulin glargine',
    dosage: '睡前皮下注射 12 U 12 units subcutaneously at bedtime',
  },
  atorvastatin: { text: '阿托伐他汀 Atorvastatin 20 mg tablet', atc: 'C10AA05', atcDisplay: 'atorvastatin', dosage: '每晚一次 20 mg once nightly' },
  tiotropium: {
    text: '噻托溴铵 Tiotropium 18 µg inhalation capsule',
    atc: 'R03BB04',
    atcDisplay: 'tiotropium bromide',
    dosage: '每日一次吸入 1 capsule inhaled once daily',
  },
  salbutamol: {
    text: '沙丁胺醇 Salbutamol 100 µg inhaler',
    atc: 'R03AC02',
    atcDisplay: 'salbutamol',
    dosage: '气促时吸入1-2喷 1-2 puffs as needed for breathlessness',
  },
  paracetamol: {
    text: '对乙酰氨基酚 Paracetamol 500 mg tablet',
    atc: 'N02BE01',
    atcDisplay: 'paracetamol',
    dosage: '疼痛时服用，每日不超过4次 500 mg up to 4 times daily as needed',
  },
} as const satisfies Record<string, MedicationDefinition>;

export const ALLERGENS = {
  penicillin: { text: '青霉素 Penicillin', snomed: { code: '91936005', display: 'Allergy to penicillin' }, reaction: '皮疹 Rash' },
  sulfonamides: { text: '磺胺类药物 Sulfonamides', reaction: '荨麻疹 Hives' },
  seafood: { text: '海鲜 Shellfish', reaction: '嘴唇肿胀 Lip swelling' },
} as const;
