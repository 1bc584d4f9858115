'use client';

import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { SPECIALIST_DEPARTMENTS, type SpecialistDepartment } from '@/server/shared/specialist-config';
import { multipartyError } from './participants-errors';
import styles from './participants.module.css';

/** Request a specialist (department, urgency) and follow each request: waiting, offered, joined, cancelled. */
export function SpecialistRequestPanel({ appointmentId }: { appointmentId: string }) {
  const { t } = useI18n('errors', 'multiparty');
  const m = t.multiparty;
  const trpc = useTRPC();
  const id = useId();
  const [department, setDepartment] = useState<SpecialistDepartment>('cardiology');
  const [urgency, setUrgency] = useState<'ROUTINE' | 'URGENT'>('ROUTINE');
  const [note, setNote] = useState('');
  const requests = useSubscription(trpc.multiparty.watchSpecialistRequests.subscriptionOptions({ appointmentId }));
  const request = useMutation(trpc.multiparty.requestSpecialist.mutationOptions({ onSuccess: () => setNote('') }));
  const cancel = useMutation(trpc.multiparty.cancelSpecialistRequest.mutationOptions());
  const error = multipartyError(request.error ?? cancel.error, t);

  function submit(event: FormEvent) {
    event.preventDefault();
    request.mutate({ appointmentId, department, urgency, note: note.trim() || undefined });
  }

  return (
    <section className={styles.section} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{m.requestSpecialist}</h3>
      <form onSubmit={submit} className={styles.row}>
        <label htmlFor={`${id}-department`}>{m.department}</label>
        <select id={`${id}-department`} value={department} onChange={(e) => setDepartment(e.target.value as SpecialistDepartment)}>
          {SPECIALIST_DEPARTMENTS.map((d) => (
            <option key={d} value={d}>
              {m.departments[d]}
            </option>
          ))}
        </select>
        <fieldset>
          <legend>{m.urgency}</legend>
          <div className="choice-row">
            <label>
              <input type="radio" name={`${id}-urgency`} checked={urgency === 'ROUTINE'} onChange={() => setUrgency('ROUTINE')} /> {m.routine}
            </label>
            <label>
              <input type="radio" name={`${id}-urgency`} checked={urgency === 'URGENT'} onChange={() => setUrgency('URGENT')} /> {m.urgent}
            </label>
          </div>
        </fieldset>
        <label>
          {m.requestNote}
          <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={request.isPending}>
          {request.isPending ? m.sending : m.sendRequest}
        </button>
      </form>
      {error && (
        <p role="alert" className="alert">
          {error}
        </p>
      )}
      {requests.data && requests.data.length > 0 && (
        <ul className={styles.requests} aria-label={m.requests}>
          {requests.data.map((r) => (
            <li key={r.id} data-state={r.state}>
              <strong>{m.departments[r.department as SpecialistDepartment] ?? r.department}</strong>
              {r.urgency === 'URGENT' ? ` · ${m.urgent}` : ''} · <span role="status">{m.requestStates[r.state]}</span>
              {r.specialistName ? ` · ${r.specialistName}` : ''}
              {(r.state === 'waiting' || r.state === 'offered') && (
                <>
                  {' '}
                  <button type="button" className="button secondary" disabled={cancel.isPending} onClick={() => cancel.mutate({ requestId: r.id })}>
                    {m.cancelRequest}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
