'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useId, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { minutesAndSeconds, useNow } from '@/components/hooks/use-now';
import type { AppRouter } from '@/server/api/root';

type Board = inferRouterOutputs<AppRouter>['queues']['watchWallboard'] extends AsyncIterable<infer T> ? T : never;

const PRESENCE_STATES = ['AVAILABLE', 'BUSY', 'WRAP_UP', 'NOT_RESPONDING', 'OFFLINE'] as const;

function Tile({ label, value }: { label: string; value: string | number }) {
  const id = useId();
  return (
    <div className="tile" role="group" aria-labelledby={id}>
      <div id={id}>{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}

export function Wallboard() {
  const { t } = useI18n('wallboard');
  const trpc = useTRPC();
  const now = useNow(1000);
  // The server sends the longest wait as of its read; we keep when it arrived to keep the clock running here.
  const [snapshot, setSnapshot] = useState<{ board: Board; receivedAt: number } | null>(null);
  const subscription = useSubscription(
    trpc.queues.watchWallboard.subscriptionOptions(undefined, {
      onData: (board) => setSnapshot({ board, receivedAt: Date.now() }),
    }),
  );

  if (!snapshot) {
    return subscription.status === 'error' ? (
      <p role="alert" className="alert">
        {t.common.somethingWrong}
      </p>
    ) : (
      <p className="muted" role="status">
        {t.common.loading}
      </p>
    );
  }

  const { board, receivedAt } = snapshot;
  const longestWait = board.waitingNow > 0 ? board.longestWaitSeconds + Math.max(0, (now - receivedAt) / 1000) : 0;
  const percent = (value: number | null) => (value === null ? t.wallboard.none : `${value}%`);
  const peak = Math.max(1, ...board.hours.flatMap((h) => [h.arrived, h.answered, h.abandoned]));
  const series = [
    { key: 'arrived', label: t.wallboard.arrived },
    { key: 'answered', label: t.wallboard.answered },
    { key: 'abandoned', label: t.wallboard.abandoned },
  ] as const;

  return (
    <section className="wallboard" aria-labelledby="wallboard-title">
      <h2 id="wallboard-title">{t.wallboard.title}</h2>
      {subscription.status === 'connecting' && (
        <p className="notice" role="status">
          {t.wallboard.reconnecting}
        </p>
      )}
      {subscription.status === 'error' && (
        <p role="alert" className="alert">
          {t.common.somethingWrong}
        </p>
      )}
      <div className="tiles">
        <Tile label={t.wallboard.waitingNow} value={board.waitingNow} />
        <Tile label={t.wallboard.longestWait} value={minutesAndSeconds(longestWait)} />
        <Tile
          label={t.wallboard.asa}
          value={board.averageSpeedOfAnswerSeconds === null ? t.wallboard.none : minutesAndSeconds(board.averageSpeedOfAnswerSeconds)}
        />
        <Tile label={t.wallboard.serviceLevel} value={percent(board.serviceLevelPercent)} />
        <Tile label={t.wallboard.abandonRate} value={percent(board.abandonRatePercent)} />
        <div className="tile" role="group" aria-labelledby="wallboard-clinicians">
          <div id="wallboard-clinicians">{t.wallboard.clinicians}</div>
          <ul className="clinician-states">
            {PRESENCE_STATES.map((state) => (
              <li key={state}>
                <span className="presence-dot" data-state={state} aria-hidden />
                <span>{t.wallboard.states[state]}</span> <strong>{board.cliniciansByState[state] ?? 0}</strong>
              </li>
            ))}
          </ul>
        </div>
      </div>

      <figure className="hour-chart">
        <figcaption>
          <h3>{t.wallboard.today}</h3>
          <ul className="chart-legend" aria-hidden>
            {series.map((s) => (
              <li key={s.key}>
                <span className="swatch" data-series={s.key} /> {s.label}
              </li>
            ))}
          </ul>
        </figcaption>
        {/* The bars are a picture of the table below, which is what assistive technology reads. */}
        <div className="bars hour-bars" aria-hidden>
          {board.hours.map((h) => (
            <div key={h.hour} className="hour" title={`${h.hour}:00`}>
              {series.map((s) => (
                <span key={s.key} data-series={s.key} style={{ height: `${(h[s.key] / peak) * 100}%` }} />
              ))}
            </div>
          ))}
        </div>
        <div className="hour-axis" aria-hidden>
          {[0, 6, 12, 18, 23].map((hour) => (
            <span key={hour} style={{ left: `${((hour + 0.5) / 24) * 100}%` }}>
              {hour}:00
            </span>
          ))}
        </div>
        <table className="visually-hidden">
          <caption>{t.wallboard.today}</caption>
          <thead>
            <tr>
              <th scope="col">{t.wallboard.hour}</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {board.hours.map((h) => (
              <tr key={h.hour}>
                <th scope="row">{`${h.hour}:00`}</th>
                {series.map((s) => (
                  <td key={s.key}>{h[s.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
    </section>
  );
}
