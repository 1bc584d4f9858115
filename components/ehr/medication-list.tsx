import type { EhrChart } from '@/server/clinical/chart-mapper';

export function MedicationList({ medications }: { medications: EhrChart['medications'] }) {
  return (
    <ul className="ehr-medications">
      {medications.map((medication) => (
        <li key={medication.id}>
          <strong>{medication.name}</strong>
          {medication.dosage && <span className="muted"> — {medication.dosage}</span>}
        </li>
      ))}
    </ul>
  );
}
