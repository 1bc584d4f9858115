'use client';

import { useDataChannel, useRoomContext } from '@livekit/components-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useCallback, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { SharedPanelView } from '@/components/ehr/shared-panel-view';
import { VitalsForm, type VitalsSaved } from '@/components/ehr/vitals-form';
import { VitalsOutcome } from '@/components/ehr/vitals-outcome';
import { UnstoredReadings } from '@/components/ehr/unstored-readings';
import type { CurrentShare } from '@/server/clinical/panel-share-service';

// Only the care team loads the chart panel.
const EhrPanel = dynamic(() => import('@/components/ehr/ehr-panel').then((m) => m.EhrPanel), { ssr: false });

/** The data channel says only that something changed; the content always comes from the server. */
const TOPIC = 'revisit.clinical';
type Signal = { type: 'share'; shareId: string; kind: string } | { type: 'unshare' } | { type: 'vitals' };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function parseSignal(payload: Uint8Array): Signal | null {
  try {
    const value = JSON.parse(decoder.decode(payload)) as Signal;
    return value && typeof value.type === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Clinical data inside the consult: the chart for the care team, shared panels and home vitals for the patient (never for guests). */
export function ClinicalPanels({ appointmentId, role }: { appointmentId: string; role: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const shareKey = trpc.clinical.currentShare.queryKey({ appointmentId });
  // Polled slowly as well, in case a signal was missed during a reconnect.
  const current = useQuery(trpc.clinical.currentShare.queryOptions({ appointmentId }, { refetchInterval: 15_000, retry: 1 }));

  const onSignal = useCallback(
    (signal: Signal | null) => {
      if (!signal) return;
      if (signal.type === 'vitals') {
        void queryClient.invalidateQueries({ queryKey: trpc.clinical.chart.queryKey({ appointmentId }) });
      } else {
        void queryClient.invalidateQueries({ queryKey: shareKey });
      }
    },
    [queryClient, trpc, appointmentId, shareKey],
  );
  useDataChannel(TOPIC, (message) => onSignal(parseSignal(message.payload)));
  const room = useRoomContext();
  const announce = useCallback(
    (signal: Signal) => {
      room.localParticipant.publishData(encoder.encode(JSON.stringify(signal)), { reliable: true, topic: TOPIC }).catch(() => {
        // Others catch up from the server on their next poll.
      });
    },
    [room],
  );

  const share = current.data ?? null;
  const onShareChanged = useCallback(
    (next: CurrentShare) => {
      queryClient.setQueryData(shareKey, next);
      announce(next ? { type: 'share', shareId: next.shareId, kind: next.kind } : { type: 'unshare' });
    },
    [announce, queryClient, shareKey],
  );
  const onVitalsSaved = useCallback(() => {
    announce({ type: 'vitals' });
    void queryClient.invalidateQueries({ queryKey: trpc.clinical.chart.queryKey({ appointmentId }) });
  }, [announce, queryClient, trpc, appointmentId]);

  if (role === 'clinician' || role === 'nurse') {
    return <CareTeamSide appointmentId={appointmentId} share={share} onShareChanged={onShareChanged} onVitalsSaved={onVitalsSaved} />;
  }
  // The patient sees what is shared and enters readings. Guests get no clinical panels at all (the room leaves them out,
  // and the server refuses them the share and the chart).
  return <PatientSide appointmentId={appointmentId} share={share} onVitalsSaved={role === 'patient' ? onVitalsSaved : null} />;
}

function PatientSide({
  appointmentId,
  share,
  onVitalsSaved,
}: {
  appointmentId: string;
  share: CurrentShare;
  /** null: this participant does not enter readings. */
  onVitalsSaved: (() => void) | null;
}) {
  const { t } = useI18n('ehr', 'vitalsForm');
  const [entering, setEntering] = useState(false);
  return (
    <>
      {share && (
        <div className="clinical-overlay">
          <SharedPanelView key={share.shareId} appointmentId={appointmentId} share={share} />
        </div>
      )}
      {onVitalsSaved && (
        <div className="clinical-actions">
          <button className="button small secondary" type="button" aria-expanded={entering} onClick={() => setEntering((open) => !open)}>
            {entering ? t.ehr.close : t.vitalsForm.openForm}
          </button>
        </div>
      )}
      {entering && onVitalsSaved && (
        <div className="clinical-overlay vitals-overlay" role="dialog" aria-label={t.vitalsForm.title}>
          <h2>{t.vitalsForm.title}</h2>
          <UnstoredReadings appointmentId={appointmentId} audience="patient" />
          <VitalsEntry appointmentId={appointmentId} onVitalsSaved={onVitalsSaved} />
        </div>
      )}
    </>
  );
}

function CareTeamSide({
  appointmentId,
  share,
  onShareChanged,
  onVitalsSaved,
}: {
  appointmentId: string;
  share: CurrentShare;
  onShareChanged: (share: CurrentShare) => void;
  onVitalsSaved: () => void;
}) {
  const { t } = useI18n('ehr');
  const [open, setOpen] = useState(true);
  const [entering, setEntering] = useState(false);
  if (!open) {
    return (
      <div className="clinical-actions">
        <button className="button small" type="button" onClick={() => setOpen(true)}>
          {t.ehr.showPanel}
        </button>
      </div>
    );
  }
  return (
    <aside className="ehr-drawer" data-open="true" aria-label={t.ehr.panelTitle}>
      <div className="ehr-drawer-head">
        <h2>{t.ehr.panelTitle}</h2>
        <button className="button small secondary" type="button" aria-expanded={entering} onClick={() => setEntering((v) => !v)}>
          {t.ehr.enterVitals}
        </button>
        <button className="button small secondary" type="button" onClick={() => setOpen(false)}>
          {t.ehr.hidePanel}
        </button>
      </div>
      {entering && (
        <section className="ehr-vitals-entry" aria-label={t.ehr.enterVitals}>
          <VitalsEntry appointmentId={appointmentId} onVitalsSaved={onVitalsSaved} />
        </section>
      )}
      <EhrPanel appointmentId={appointmentId} share={share} onShareChanged={onShareChanged} />
    </aside>
  );
}

/** The readings form with what became of the last reading: stored, kept until the record system is back, or refused. */
function VitalsEntry({ appointmentId, onVitalsSaved }: { appointmentId: string; onVitalsSaved: () => void }) {
  const [saved, setSaved] = useState<VitalsSaved | null>(null);
  return (
    <>
      {saved && <VitalsOutcome saved={saved} />}
      <VitalsForm
        appointmentId={appointmentId}
        onSaved={(result) => {
          setSaved(result);
          onVitalsSaved();
        }}
      />
    </>
  );
}
