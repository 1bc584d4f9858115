// The waiting-room clips a room plays while the caller waits, in order: the queue's playlist for this patient now
// (server/ringback/waiting-media-service.ts decides). Never throws: a wait with no clip shows the waiting card.
import { db } from '@/server/db';
import { clipsForCall, houseClips } from '@/server/ringback/waiting-media-service';

export type WaitingClipsOptions = {
  /** The queue the caller waits in; without it, the clinic's clips in upload order. */
  queueId?: string | null;
  /** The portal's patient id; their chart (through FHIR) decides the clips that target a condition. */
  patientId?: string | null;
};

/** Absolute paths of house-format clips (MP4); none means the waiting card is shown. */
export async function chooseWaitingClips(clinicId: string, options: WaitingClipsOptions = {}): Promise<string[]> {
  try {
    const patient = options.patientId
      ? await db.patient.findFirst({ where: { id: options.patientId, clinicId }, select: { id: true, fhirPatientId: true } })
      : null;
    return await clipsForCall({
      clinicId,
      queueId: options.queueId ?? null,
      patientId: patient?.id ?? null,
      patientFhirId: patient?.fhirPatientId ?? null,
      now: new Date(),
    });
  } catch (error) {
    console.warn(`[waiting clips] Clinic ${clinicId}: the playlist could not be read (${(error as Error).message}); playing the house clips`);
    return houseClips().catch(() => []);
  }
}
