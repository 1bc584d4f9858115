'use client';

import { useRoomContext } from '@livekit/components-react';
import { DisconnectReason, RoomEvent } from 'livekit-client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Someone removed from the consult by a clinician lands on a page that says so (not on "join again"). */
export function RemovedWatcher({ appointmentId }: { appointmentId: string }) {
  const room = useRoomContext();
  const router = useRouter();
  useEffect(() => {
    const onDisconnected = (reason?: DisconnectReason) => {
      if (reason === DisconnectReason.PARTICIPANT_REMOVED) router.replace(`/consult/${appointmentId}/removed`);
    };
    room.on(RoomEvent.Disconnected, onDisconnected);
    return () => {
      room.off(RoomEvent.Disconnected, onDisconnected);
    };
  }, [room, router, appointmentId]);
  return null;
}
