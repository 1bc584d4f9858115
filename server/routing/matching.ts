// Pure matching of waiting tasks to free clinicians. No I/O: the dispatcher loads the inputs and
// writes the result, so every strategy rule is here and unit-tested. One case is also decided in SQL:
// clinicians who become available (alone or together) while no one else is free
// (becomeAvailableStatement in dispatcher.ts). A change of the rules here changes that statement too;
// clinician-match.int.test.ts checks the two make the same choices.

export type QueueRules = {
  id: string;
  requiredSkills: string[];
  preferredClinicianSeconds: number;
  agingSecondsPerPriority: number;
};

export type WaitingTask = {
  id: string;
  queueId: string;
  priority: number;
  enqueuedAt: Date;
  requiredSkills: string[];
  preferredClinicianId: string | null;
  /** Clinicians who declined this task recently and should not be asked again yet. */
  declinedBy: string[];
};

export type FreeClinician = {
  id: string;
  skills: string[];
  idleSince: Date;
  freeSlots: number;
};

export type Match = { taskId: string; clinicianId: string };

/**
 * Priority with aging: each priority step counts as `agingSecondsPerPriority` seconds of waiting.
 * Lower sorts first; equal scores keep first-come order.
 */
export function taskScore(task: Pick<WaitingTask, 'priority' | 'enqueuedAt'>, rules: Pick<QueueRules, 'agingSecondsPerPriority'>): number {
  return task.enqueuedAt.getTime() - task.priority * rules.agingSecondsPerPriority * 1000;
}

export function compareTasks(a: WaitingTask, b: WaitingTask, queues: Map<string, QueueRules>): number {
  const qa = queues.get(a.queueId);
  const qb = queues.get(b.queueId);
  const sa = qa ? taskScore(a, qa) : a.enqueuedAt.getTime();
  const sb = qb ? taskScore(b, qb) : b.enqueuedAt.getTime();
  return sa - sb || a.enqueuedAt.getTime() - b.enqueuedAt.getTime() || a.id.localeCompare(b.id);
}

function hasSkills(clinician: FreeClinician, needed: string[]): boolean {
  return needed.every((skill) => clinician.skills.includes(skill));
}

/** Who may take `task` now, given the strategy rules of its queue. */
export function eligibleClinicians(task: WaitingTask, rules: QueueRules, free: FreeClinician[], now: Date): FreeClinician[] {
  const needed = [...rules.requiredSkills, ...task.requiredSkills];
  const candidates = free.filter((c) => c.freeSlots > 0 && !task.declinedBy.includes(c.id) && hasSkills(c, needed));
  if (task.preferredClinicianId && rules.preferredClinicianSeconds > 0) {
    const waitedSeconds = (now.getTime() - task.enqueuedAt.getTime()) / 1000;
    if (waitedSeconds < rules.preferredClinicianSeconds) {
      return candidates.filter((c) => c.id === task.preferredClinicianId);
    }
  }
  return candidates;
}

/** The preferred clinician when free, otherwise the one idle longest. */
export function pickClinician(task: WaitingTask, candidates: FreeClinician[]): FreeClinician | undefined {
  const preferred = candidates.find((c) => c.id === task.preferredClinicianId);
  if (preferred) return preferred;
  return [...candidates].sort((a, b) => a.idleSince.getTime() - b.idleSince.getTime() || a.id.localeCompare(b.id))[0];
}

export function matchTasks(input: { tasks: WaitingTask[]; clinicians: FreeClinician[]; queues: QueueRules[]; now: Date }): Match[] {
  const queues = new Map(input.queues.map((q) => [q.id, q]));
  const free = input.clinicians.map((c) => ({ ...c }));
  const matches: Match[] = [];
  for (const task of [...input.tasks].sort((a, b) => compareTasks(a, b, queues))) {
    if (!free.some((c) => c.freeSlots > 0)) break;
    const rules = queues.get(task.queueId);
    if (!rules) continue;
    const chosen = pickClinician(task, eligibleClinicians(task, rules, free, input.now));
    if (!chosen) continue;
    chosen.freeSlots -= 1;
    matches.push({ taskId: task.id, clinicianId: chosen.id });
  }
  return matches;
}
