'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import { format } from '@/server/shared/i18n/format';
import { addDays, weekStart } from '@/server/shared/calendar';
import { CHANGEABLE_STATUSES } from '@/server/shared/scheduling-config';
import { AppointmentForm, type Booked } from './appointment-form';
import { CancelDialog, RescheduleDialog, type ChangeTarget } from './change-dialogs';
import { scheduleErrorMessage } from './schedule-errors';
import { clinicDate, clinicDateTime, dayLabel, patientName, timeRange } from './schedule-format';

type ScheduleView = inferRouterOutputs<AppRouter>['schedule']['list'];
type Appointment = ScheduleView['days'][number]['appointments'][number];
type View = 'day' | 'week';

function isChangeable(status: string) {
  return (CHANGEABLE_STATUSES as readonly string[]).includes(status);
}

export function ScheduleBoard({
  timeZone,
  today,
  clinicians,
  initialClinicianId,
  initialView,
  initialDate,
}: {
  timeZone: string;
  today: string;
  clinicians: { id: string; name: string }[];
  initialClinicianId: string | null;
  initialView: View;
  initialDate: string;
}) {
  const { t, locale } = useI18n('appointmentStatus', 'errors', 'schedule');
  const trpc = useTRPC();
  const id = useId();
  const [clinicianId, setClinicianId] = useState(initialClinicianId);
  const [view, setView] = useState<View>(initialView);
  const [date, setDate] = useState(initialDate);
  const [formOpen, setFormOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [change, setChange] = useState<{ kind: 'reschedule' | 'cancel'; target: ChangeTarget } | null>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const rangeHeading = useRef<HTMLHeadingElement>(null);

  // The address keeps what is shown, so a reload or a shared link opens the same view.
  useEffect(() => {
    const params = new URLSearchParams({ view, date });
    if (clinicianId) params.set('clinician', clinicianId);
    window.history.replaceState(null, '', `?${params.toString()}`);
  }, [clinicianId, date, view]);

  const schedule = useQuery({
    ...trpc.schedule.list.queryOptions({ clinicianId: clinicianId ?? undefined, date, view }),
    placeholderData: keepPreviousData,
  });

  const step = view === 'week' ? 7 : 1;
  const first = view === 'week' ? weekStart(date) : date;
  const heading =
    view === 'week' ? `${dayLabel(first, locale)} – ${dayLabel(addDays(first, 6), locale, { year: true })}` : dayLabel(date, locale, { year: true });

  function onBooked(booked: Booked) {
    setFormOpen(false);
    setClinicianId(booked.clinicianId);
    setDate(clinicDate(booked.startsAt, timeZone));
    setAnnouncement(format(t.schedule.booked, { patient: booked.patient, time: clinicDateTime(booked.startsAt, timeZone, locale) }));
    newButton.current?.focus();
  }

  const targetOf = (appointment: Appointment): ChangeTarget => ({
    id: appointment.id,
    startsAt: String(appointment.startsAt),
    durationMinutes: appointment.durationMinutes,
    patient: patientName(appointment.patient),
  });

  const data = schedule.data;
  const total = data?.days.reduce((sum, day) => sum + day.appointments.length, 0) ?? 0;

  return (
    <div className="schedule">
      <div className="schedule-toolbar">
        <div className="field">
          <label htmlFor={`${id}-clinician`}>{t.schedule.clinician}</label>
          <select
            id={`${id}-clinician`}
            value={clinicianId ?? ''}
            onChange={(event) => setClinicianId(event.target.value || null)}
            disabled={clinicians.length === 0}
          >
            {clinicians.length === 0 && <option value="">{t.schedule.noClinicians}</option>}
            {clinicians.map((clinician) => (
              <option key={clinician.id} value={clinician.id}>
                {clinician.name}
              </option>
            ))}
          </select>
        </div>
        <div className="offer-actions" role="group" aria-label={t.schedule.view}>
          {(['day', 'week'] as const).map((option) => (
            <button key={option} type="button" className="button secondary small" aria-pressed={view === option} onClick={() => setView(option)}>
              {t.schedule[option]}
            </button>
          ))}
        </div>
        <div className="offer-actions" role="group" aria-label={heading}>
          <button type="button" className="button secondary small" onClick={() => setDate(addDays(date, -step))}>
            <span aria-hidden>‹</span> {view === 'week' ? t.schedule.previousWeek : t.schedule.previousDay}
          </button>
          <button type="button" className="button secondary small" onClick={() => setDate(today)} disabled={date === today}>
            {t.schedule.today}
          </button>
          <button type="button" className="button secondary small" onClick={() => setDate(addDays(date, step))}>
            {view === 'week' ? t.schedule.nextWeek : t.schedule.nextDay} <span aria-hidden>›</span>
          </button>
        </div>
        <button
          ref={newButton}
          type="button"
          className="button"
          aria-expanded={formOpen}
          aria-controls={`${id}-form`}
          onClick={() => setFormOpen((open) => !open)}
        >
          {t.schedule.newAppointment}
        </button>
      </div>

      <div id={`${id}-form`} hidden={!formOpen}>
        {formOpen && (
          <AppointmentForm
            defaultClinicianId={clinicianId}
            defaultDate={date < today ? today : date}
            onBooked={onBooked}
            onClose={() => {
              setFormOpen(false);
              newButton.current?.focus();
            }}
          />
        )}
      </div>

      <p role="status" className="schedule-announcement">
        {announcement}
      </p>

      <h2 id={`${id}-range`} ref={rangeHeading} tabIndex={-1} className="schedule-range" aria-live="polite">
        {heading}
        {data?.clinician ? ` · ${data.clinician.name}` : ''}
      </h2>
      <p className="muted">{format(t.schedule.timeZoneNote, { timeZone })}</p>

      {schedule.isPending ? (
        <p role="status" className="muted">
          {t.common.loading}
        </p>
      ) : schedule.isError ? (
        <p role="alert" className="alert">
          {scheduleErrorMessage(t, schedule.error)}
        </p>
      ) : (
        <div
          className="schedule-days"
          data-view={data?.view}
          aria-busy={schedule.isFetching || undefined}
          aria-labelledby={`${id}-range`}
          // A closed day with nothing on it (Sunday) takes less room in the week.
          style={
            data?.view === 'week'
              ? { gridTemplateColumns: data.days.map((d) => (d.workingDay || d.appointments.length ? 'minmax(0, 1fr)' : 'minmax(0, 0.6fr)')).join(' ') }
              : undefined
          }
        >
          {data?.view === 'week' && total === 0 && <p className="notice schedule-empty-week">{t.schedule.emptyWeek}</p>}
          {data?.days.map((day) => (
            <section key={day.date} className="schedule-day" aria-labelledby={`${id}-${day.date}`} data-today={day.date === today || undefined}>
              <h3 id={`${id}-${day.date}`}>
                {dayLabel(day.date, locale)}
                {day.date === today && <span className="status">{t.schedule.todayBadge}</span>}
              </h3>
              {day.appointments.length === 0 ? (
                <p className="muted schedule-empty">{day.workingDay ? t.schedule.emptyDay : t.schedule.closed}</p>
              ) : (
                <ul className="schedule-list">
                  {day.appointments.map((appointment) => {
                    const target = targetOf(appointment);
                    const range = timeRange(appointment.startsAt, appointment.durationMinutes, timeZone);
                    return (
                      <li key={appointment.id} className="schedule-item" data-status={appointment.status}>
                        <p className="schedule-time">
                          <time dateTime={String(appointment.startsAt)}>{range}</time>
                          <span className="muted schedule-duration"> · {format(t.schedule.minutes, { minutes: appointment.durationMinutes })}</span>
                        </p>
                        <p className="schedule-patient">{target.patient}</p>
                        <p className="schedule-reason">{appointment.reason ?? t.schedule.noReason}</p>
                        <p>
                          <span className="status">{t.appointmentStatus[appointment.status]}</span>
                        </p>
                        {isChangeable(appointment.status) && (
                          <div className="schedule-actions">
                            <button
                              type="button"
                              className="button secondary small"
                              aria-label={format(t.schedule.rescheduleLabel, { patient: target.patient, time: range })}
                              onClick={() => setChange({ kind: 'reschedule', target })}
                            >
                              {t.schedule.reschedule}
                            </button>
                            <button
                              type="button"
                              className="button secondary small danger-text"
                              aria-label={format(t.schedule.cancelLabel, { patient: target.patient, time: range })}
                              onClick={() => setChange({ kind: 'cancel', target })}
                            >
                              {t.schedule.cancel}
                            </button>
                          </div>
                        )}
                      </li>
                    );
                  })}
                </ul>
              )}
            </section>
          ))}
        </div>
      )}

      {change?.kind === 'reschedule' && (
        <RescheduleDialog
          target={change.target}
          timeZone={timeZone}
          onClose={() => setChange(null)}
          fallbackFocus={() => rangeHeading.current}
          onDone={(message, movedTo) => {
            setChange(null);
            setDate(movedTo);
            setAnnouncement(message);
          }}
        />
      )}
      {change?.kind === 'cancel' && (
        <CancelDialog
          target={change.target}
          timeZone={timeZone}
          onClose={() => setChange(null)}
          fallbackFocus={() => rangeHeading.current}
          onDone={(message) => {
            setChange(null);
            setAnnouncement(message);
          }}
        />
      )}
    </div>
  );
}
