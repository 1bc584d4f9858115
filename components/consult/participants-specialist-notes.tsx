'use client';

import { useQuery } from '@tanstack/react-query';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { format } from '@/server/shared/i18n/format';

/** The specialists' notes of a visit, shown at wrap-up next to the GP's own note. */
export function SpecialistNotesList({ appointmentId }: { appointmentId: string }) {
  const { t } = useI18n('multiparty');
  const trpc = useTRPC();
  const notes = useQuery(trpc.multiparty.specialistNotes.queryOptions({ appointmentId }));
  if (!notes.data || notes.data.length === 0) return null;
  return (
    <section aria-labelledby="specialist-notes-title">
      <h2 id="specialist-notes-title">{t.multiparty.specialistNotes}</h2>
      {notes.data.map((note) => (
        <blockquote key={note.id} className="notice">
          <p style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{note.text}</p>
          <footer className="muted">{format(t.multiparty.byAuthor, { name: note.authorName })}</footer>
        </blockquote>
      ))}
    </section>
  );
}
