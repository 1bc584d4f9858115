'use client';

import { useQuery } from '@tanstack/react-query';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { CurrentShare } from '@/server/clinical/panel-share-service';
import { MedicationList } from './medication-list';
import { VitalTrend } from './vital-chart-lazy';

/** What the care team shares now, the same for every participant; it disappears when sharing stops. */
export function SharedPanelView({ appointmentId, share }: { appointmentId: string; share: NonNullable<CurrentShare> }) {
  const { t } = useI18n('ehr');
  const trpc = useTRPC();
  const panel = useQuery(trpc.clinical.sharedPanel.queryOptions({ appointmentId, shareId: share.shareId }, { retry: 1, refetchOnWindowFocus: false }));
  return (
    <section className="shared-panel" aria-labelledby={`shared-${share.shareId}`} data-share-kind={share.kind}>
      <h2 id={`shared-${share.shareId}`}>{t.ehr.sharedTitle}</h2>
      {panel.isPending ? (
        <p className="muted" role="status">
          {t.ehr.sharedLoading}
        </p>
      ) : panel.isError ? (
        <p role="alert" className="alert">
          {t.ehr.sharedUnavailable}
        </p>
      ) : panel.data.kind === 'vitalsChart' ? (
        <VitalTrend series={panel.data.trend.series} />
      ) : panel.data.kind === 'medications' ? (
        <>
          <h3>{t.ehr.medications}</h3>
          {panel.data.medications.length ? <MedicationList medications={panel.data.medications} /> : <p className="muted">{t.ehr.noMedications}</p>}
        </>
      ) : (
        <>
          <h3>{t.ehr.carePlan}</h3>
          <p className="ehr-note">{panel.data.note}</p>
        </>
      )}
    </section>
  );
}
