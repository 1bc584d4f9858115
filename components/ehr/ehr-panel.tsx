'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { clinicDateTime } from '@/components/schedule/schedule-format';
import type { EhrChart, LatestVital } from '@/server/clinical/chart-mapper';
import type { CurrentShare } from '@/server/clinical/panel-share-service';
import { VitalTrend } from './vital-chart-lazy';
import { formatReading } from './vital-format';
import { MedicationList } from './medication-list';
import { UnstoredReadings } from './unstored-readings';

type Props = {
  appointmentId: string;
  share: CurrentShare;
  /** Called after the server accepted a new share or its end, so the call can be told. */
  onShareChanged: (share: CurrentShare) => void;
};

/** The clinician's (and nurse's) view of the patient's chart inside the consult, with sharing controls. */
export function EhrPanel({ appointmentId, share, onShareChanged }: Props) {
  const { t } = useI18n('ehr');
  const trpc = useTRPC();
  const chart = useQuery(trpc.clinical.chart.queryOptions({ appointmentId }, { retry: false, refetchOnWindowFocus: false }));

  if (chart.isPending) {
    return (
      <p className="muted" role="status">
        {t.ehr.loading}
      </p>
    );
  }
  if (chart.isError) {
    const message = chart.error.data?.code === 'SERVICE_UNAVAILABLE' ? t.ehr.fhirDown : t.ehr.loadFailed;
    return (
      <div className="ehr-error">
        <p role="alert" className="alert">
          {message}
        </p>
        <button className="button secondary" type="button" onClick={() => chart.refetch()} disabled={chart.isFetching}>
          {t.ehr.refresh}
        </button>
      </div>
    );
  }
  if (!chart.data.chart) {
    return (
      <p className="notice" role="status">
        {t.ehr.noChart}
      </p>
    );
  }
  return <ChartView appointmentId={appointmentId} chart={chart.data.chart} share={share} onShareChanged={onShareChanged} />;
}

function ChartView({ appointmentId, chart, share, onShareChanged }: Props & { chart: EhrChart & { timeZone: string } }) {
  const { t, locale } = useI18n('ehr');
  const when = (iso: string | null) => (iso ? clinicDateTime(iso, chart.timeZone, locale) : '');
  const { patient } = chart;
  return (
    <div className="ehr-panel">
      <section aria-labelledby="ehr-patient">
        <h3 id="ehr-patient">{patient.name}</h3>
        <p className="muted">
          {[
            patient.gender ? (t.ehr.gender[patient.gender as keyof typeof t.ehr.gender] ?? patient.gender) : null,
            patient.age !== null ? t.ehr.age.replace('{age}', String(patient.age)) : null,
            patient.birthDate ? t.ehr.born.replace('{date}', patient.birthDate) : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </p>
      </section>

      <SharingBar appointmentId={appointmentId} share={share} onShareChanged={onShareChanged} />

      <UnstoredReadings appointmentId={appointmentId} audience="careTeam" />

      <section aria-labelledby="ehr-latest">
        <h3 id="ehr-latest">{t.ehr.latestVitals}</h3>
        {chart.latestVitals.length === 0 ? (
          <p className="muted">{t.ehr.noVitals}</p>
        ) : (
          <ul className="ehr-latest">
            {chart.latestVitals.map((vital) => (
              <LatestItem key={vital.kind} vital={vital} takenAt={when(vital.takenAt)} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ehr-problems">
        <h3 id="ehr-problems">{t.ehr.problems}</h3>
        {chart.problems.length === 0 ? (
          <p className="muted">{t.ehr.noProblems}</p>
        ) : (
          <ul>
            {chart.problems.map((problem) => (
              <li key={problem.id}>{problem.text}</li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ehr-medications">
        <div className="ehr-section-head">
          <h3 id="ehr-medications">{t.ehr.medications}</h3>
          <ShareButton appointmentId={appointmentId} request={{ kind: 'medications' }} label={t.ehr.shareMedications} onShared={onShareChanged} />
        </div>
        {chart.medications.length === 0 ? <p className="muted">{t.ehr.noMedications}</p> : <MedicationList medications={chart.medications} />}
      </section>

      <section aria-labelledby="ehr-allergies">
        <h3 id="ehr-allergies">{t.ehr.allergies}</h3>
        {chart.allergies.length === 0 ? (
          <p className="muted">{t.ehr.noAllergies}</p>
        ) : (
          <ul>
            {chart.allergies.map((allergy) => (
              <li key={allergy.id}>
                <strong>{allergy.substance}</strong>
                {allergy.reaction ? ` — ${allergy.reaction}` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ehr-trends">
        <h3 id="ehr-trends">{t.ehr.trends}</h3>
        {chart.series.map((series) => (
          <div key={series.kind} className="ehr-trend">
            <VitalTrend series={series} compact />
            {series.times.length > 0 && (
              <ShareButton
                appointmentId={appointmentId}
                request={{ kind: 'vitalsChart', vital: series.kind as 'bloodPressure' }}
                label={t.ehr.shareChart.replace('{vital}', t.ehr.vitals[series.kind])}
                onShared={onShareChanged}
              />
            )}
          </div>
        ))}
      </section>

      <section aria-labelledby="ehr-last-visit">
        <h3 id="ehr-last-visit">{t.ehr.lastVisit}</h3>
        {!chart.lastVisit ? (
          <p className="muted">{t.ehr.noLastVisit}</p>
        ) : (
          <div className="ehr-last-visit">
            <p className="muted">
              {when(chart.lastVisit.date)}
              {chart.lastVisit.reason ? ` · ${chart.lastVisit.reason}` : ''}
            </p>
            {chart.lastVisit.notes.map((note, index) => (
              <article key={index}>
                <p className="ehr-note">{note.text}</p>
              </article>
            ))}
          </div>
        )}
      </section>
    </div>
  );
}

function LatestItem({ vital, takenAt }: { vital: LatestVital; takenAt: string }) {
  const { t } = useI18n('ehr');
  const flag = vital.values.find((v) => v.flag)?.flag ?? null;
  return (
    <li className={vital.abnormal ? 'ehr-vital abnormal' : 'ehr-vital'} data-vital={vital.kind}>
      <span className="ehr-vital-name">{t.ehr.vitals[vital.kind]}</span>
      <span className="ehr-vital-value">
        {formatReading(
          vital.kind,
          vital.values.map((v) => v.value),
          vital.unit,
        )}
        {flag && <span className={`flag ${flag}`}> {flag === 'high' ? t.ehr.high : t.ehr.low}</span>}
      </span>
      <span className="muted ehr-vital-time">{t.ehr.takenAt.replace('{time}', takenAt)}</span>
    </li>
  );
}

type ShareRequest = { kind: 'medications' } | { kind: 'vitalsChart'; vital: 'bloodPressure' } | { kind: 'carePlan'; note: string };

function ShareButton({
  appointmentId,
  request,
  label,
  onShared,
}: {
  appointmentId: string;
  request: ShareRequest;
  label: string;
  onShared: (share: CurrentShare) => void;
}) {
  const { t } = useI18n('ehr');
  const trpc = useTRPC();
  const share = useMutation(trpc.clinical.share.mutationOptions({ onSuccess: (saved) => onShared(saved) }));
  return (
    <span className="share-action">
      <button className="button small secondary" type="button" disabled={share.isPending} onClick={() => share.mutate({ appointmentId, ...request })}>
        {label}
      </button>
      {share.isError && (
        <span role="alert" className="share-error">
          {t.ehr.shareFailed}
        </span>
      )}
    </span>
  );
}

function SharingBar({ appointmentId, share, onShareChanged }: Props) {
  const { t } = useI18n('ehr');
  const trpc = useTRPC();
  const [note, setNote] = useState('');
  const stop = useMutation(trpc.clinical.stopSharing.mutationOptions({ onSuccess: () => onShareChanged(null) }));
  const what = share
    ? share.kind === 'vitalsChart'
      ? t.ehr.vitals[(share.vital ?? 'bloodPressure') as keyof typeof t.ehr.vitals]
      : share.kind === 'medications'
        ? t.ehr.medications
        : t.ehr.carePlan
    : null;
  return (
    <section className="sharing-bar" aria-label={t.ehr.carePlan}>
      {share && (
        <div className="notice sharing-now" role="status">
          <span>{t.ehr.sharingNow.replace('{what}', what ?? '')}</span>
          <button className="button small danger" type="button" disabled={stop.isPending} onClick={() => stop.mutate({ appointmentId })}>
            {t.ehr.stopSharing}
          </button>
        </div>
      )}
      <label className="care-plan-field">
        {t.ehr.carePlanLabel}
        <textarea value={note} onChange={(event) => setNote(event.target.value)} rows={3} maxLength={4000} />
      </label>
      {note.trim() && (
        <ShareButton appointmentId={appointmentId} request={{ kind: 'carePlan', note: note.trim() }} label={t.ehr.shareCarePlan} onShared={onShareChanged} />
      )}
    </section>
  );
}
