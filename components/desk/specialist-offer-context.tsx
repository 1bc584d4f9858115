'use client';

import { useI18n } from '@/components/providers/i18n-provider';
import { format } from '@/server/shared/i18n/format';
import type { SpecialistDepartment } from '@/server/shared/specialist-config';

type Context = { requestedBy: string | null; department: string | null; urgency: 'ROUTINE' | 'URGENT'; note: string | null };

/** On a specialist's offer: that it is a specialist request, for which department, how urgent, who asked. */
export function SpecialistOfferContext({ request }: { request: Context }) {
  const { t } = useI18n('multiparty');
  const m = t.multiparty;
  const department = request.department ? (m.departments[request.department as SpecialistDepartment] ?? request.department) : null;
  return (
    <p>
      <strong>{m.specialistOffer}</strong>
      {department ? ` · ${department}` : ''}
      {' · '}
      <span data-urgency={request.urgency}>{request.urgency === 'URGENT' ? m.urgent : m.routine}</span>
      {request.requestedBy ? ` · ${format(m.requestedBy, { name: request.requestedBy })}` : ''}
      {request.note ? ` · “${request.note}”` : ''}
    </p>
  );
}
