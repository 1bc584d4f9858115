/** Default rules of a clinic's follow-up queue; admins change them per queue. */
export const FOLLOW_UP_QUEUE_SLUG = 'follow-up';

/** A waiting person not heard from for this long has left (and keeps their place until then). */
export const RECONNECT_GRACE_SECONDS = 30;

/** A clinician who declined a task is not offered the same task again for this long. */
export const DECLINE_COOLDOWN_SECONDS = 30;

/** How often the waiting page's connection refreshes the task's last-seen time. */
export const HEARTBEAT_SECONDS = 10;

/** Live views (waiting room, desk, wallboard) are read again at least this often even when nothing changed. */
export const LIVE_VIEW_IDLE_MS = HEARTBEAT_SECONDS * 1000;
