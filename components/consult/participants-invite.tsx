'use client';

/** Inviting a guest (family member, interpreter) by link or text message. */
export function InvitePanel(_props: { appointmentId: string }) {
  return null;
}
