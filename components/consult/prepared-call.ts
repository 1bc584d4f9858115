'use client';

import { createLocalTracks, Room, type LocalTrack } from 'livekit-client';

/** What the consult room needs from a join (see ConsultRoom's Access). */
export type PreparedAccess = { serverUrl: string; token: string; role: string; partyRole: string; permissions: Record<string, boolean> } & Record<
  string,
  unknown
>;

type Prepared = { appointmentId: string; access: PreparedAccess; room: Room; tracks: Promise<LocalTrack[]>; connecting: Promise<void> | null };

// One at a time: the offer ringing on this clinician's desk. Kept across the client-side navigation to the consult
// page, so accepting connects at once instead of after a page load, a join request and the camera starting.
let prepared: Prepared | null = null;

/**
 * While an offer rings: the room is created and its connection prepared with the offer's token, the camera and
 * microphone are started (not yet published), so accepting only has to connect and publish.
 */
export function prepareCall(appointmentId: string, access: PreparedAccess, options: { video: boolean }) {
  if (prepared?.appointmentId === appointmentId) return;
  discardPreparedCall();
  const room = new Room({ adaptiveStream: true, dynacast: true });
  const tracks = createLocalTracks({ audio: true, video: options.video }).catch(() => [] as LocalTrack[]);
  void room.prepareConnection(access.serverUrl, access.token).catch(() => {});
  prepared = { appointmentId, access, room, tracks, connecting: null };
}

/** The offer was accepted: connect now (without subscribing to anything yet: the consult page picks whom), then publish. */
export function connectPreparedCall(appointmentId: string): boolean {
  const call = prepared;
  if (!call || call.appointmentId !== appointmentId) return false;
  call.connecting ??= (async () => {
    // Marks for bench:join (performance entries in the page): where the time after an accept goes.
    performance.mark('revisit:prepared-connect');
    await call.room.connect(call.access.serverUrl, call.access.token, { autoSubscribe: false });
    performance.mark('revisit:prepared-connected');
    // Camera and microphone at once: one after the other costs a negotiation round each.
    await Promise.all((await call.tracks).map((track) => call.room.localParticipant.publishTrack(track)));
    performance.mark('revisit:prepared-published');
  })().catch(() => {
    // The consult page connects on its own (a new join) when this room did not.
  });
  return true;
}

/** The consult page takes the prepared room for its visit, once. */
export function takePreparedCall(appointmentId: string): { room: Room; access: PreparedAccess } | null {
  const call = prepared;
  if (!call || call.appointmentId !== appointmentId || !call.connecting) return null;
  prepared = null;
  return { room: call.room, access: call.access };
}

/** The offer went away unanswered (declined, timed out, taken back): the camera goes off again. */
export function discardPreparedCall(appointmentId?: string) {
  const call = prepared;
  if (!call || (appointmentId && call.appointmentId !== appointmentId) || call.connecting) return;
  prepared = null;
  void call.tracks.then((tracks) => tracks.forEach((track) => track.stop()));
  void call.room.disconnect();
}
