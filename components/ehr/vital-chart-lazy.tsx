'use client';

import dynamic from 'next/dynamic';
import { useI18n } from '@/components/providers/i18n-provider';
import type { VitalSeries } from '@/server/clinical/chart-mapper';
import { formatReading } from './vital-format';

const VitalChart = dynamic(() => import('./vital-chart').then((m) => m.VitalChart), {
  ssr: false,
  loading: () => <ChartLoading />,
});

function ChartLoading() {
  const { t } = useI18n('ehr');
  return <p className="muted vital-chart-loading">{t.ehr.chartLoading}</p>;
}

/** A trend chart with its title, normal range and a text summary for screen readers. */
export function VitalTrend({ series, compact = false }: { series: VitalSeries; compact?: boolean }) {
  const { t } = useI18n('ehr');
  const name = t.ehr.vitals[series.kind];
  const count = series.times.length;
  const last = count - 1;
  const latest = count
    ? formatReading(
        series.kind,
        series.lines.map((line) => line.values[last]!),
        series.unit,
      )
    : '—';
  const summary = t.ehr.chartLabel.replace('{vital}', name).replace('{count}', String(count)).replace('{latest}', latest);
  const ranges = series.lines
    .filter((line) => line.normal)
    .map(
      (line) =>
        `${series.lines.length > 1 ? `${t.ehr.lines[line.key]} ` : ''}${t.ehr.normalRange.replace('{min}', String(line.normal!.min)).replace('{max}', String(line.normal!.max))}`,
    )
    .join(' · ');
  return (
    <figure className="vital-trend" data-vital={series.kind} data-count={count} data-latest={latest}>
      <figcaption>
        <strong>{name}</strong> <span className="muted">({series.unit})</span>
        {ranges && <span className="muted vital-range"> {ranges}</span>}
      </figcaption>
      <div role="img" aria-label={summary}>
        {count === 0 ? (
          <p className="muted">{t.ehr.noReadings}</p>
        ) : (
          <VitalChart series={series} lineLabels={series.lines.map((line) => t.ehr.lines[line.key])} height={compact ? 160 : 200} />
        )}
      </div>
      {count > 0 && <p className="vital-latest">{latest}</p>}
    </figure>
  );
}
