import type { VitalKind } from '@/server/shared/vital-signs';

/** "152/94 mmHg", "72 /min", "36.8 °C". */
export function formatReading(kind: VitalKind, values: number[], unit: string): string {
  const text = kind === 'bloodPressure' ? values.map((v) => Math.round(v)).join('/') : String(values[0]);
  return `${text} ${unit}`;
}
