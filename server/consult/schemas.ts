import { z } from 'zod';
import { SPECIALIST_DEPARTMENTS } from '@/server/shared/specialist-config';

const id = z.string().min(1).max(64);

export const appointmentInput = z.object({ appointmentId: id });

export const joinConsultInput = z.object({ appointmentId: id, withPatient: z.boolean().optional() });

export const requestSpecialistInput = z.object({
  appointmentId: id,
  department: z.enum(SPECIALIST_DEPARTMENTS, { error: 'Choose a department' }),
  urgency: z.enum(['ROUTINE', 'URGENT']),
  note: z.string().trim().max(500).optional(),
});

export const specialistRequestIdInput = z.object({ requestId: id });

export const participantActionInput = z.object({ appointmentId: id, identity: z.string().min(1).max(128) });

export const specialistNoteInput = z.object({ appointmentId: id, text: z.string().trim().min(1, 'Write the note first').max(5000) });
