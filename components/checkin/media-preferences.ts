// What the device check learned, kept for this browser tab so a reload does not ask again.
const KEY = 'revisit:media';

export type MediaPreferences = { checked: boolean; audioOnly: boolean };

export function readMediaPreferences(): MediaPreferences {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) return JSON.parse(raw) as MediaPreferences;
  } catch {
    // Storage can be unavailable (private mode); the check simply runs again.
  }
  return { checked: false, audioOnly: false };
}

export function saveMediaPreferences(preferences: MediaPreferences) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(preferences));
  } catch {
    // Not fatal: see readMediaPreferences.
  }
}
