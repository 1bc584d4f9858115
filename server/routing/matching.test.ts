import { describe, expect, it } from 'vitest';
import { matchTasks, type FreeClinician, type QueueRules, type WaitingTask } from './matching';

const now = new Date('2026-11-24T08:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
const queue: QueueRules = { id: 'q', requiredSkills: [], preferredClinicianSeconds: 120, agingSecondsPerPriority: 300 };

function task(id: string, overrides: Partial<WaitingTask> = {}): WaitingTask {
  return { id, queueId: 'q', priority: 0, enqueuedAt: secondsAgo(10), requiredSkills: [], preferredClinicianId: null, declinedBy: [], ...overrides };
}
function doctor(id: string, overrides: Partial<FreeClinician> = {}): FreeClinician {
  return { id, skills: [], idleSince: secondsAgo(60), freeSlots: 1, ...overrides };
}

describe('matching', () => {
  it('serves the longest-waiting task first, by the clinician idle longest', () => {
    const matches = matchTasks({
      tasks: [task('late', { enqueuedAt: secondsAgo(5) }), task('early', { enqueuedAt: secondsAgo(50) })],
      clinicians: [doctor('fresh', { idleSince: secondsAgo(1) }), doctor('idle', { idleSince: secondsAgo(600) })],
      queues: [queue],
      now,
    });
    expect(matches).toEqual([
      { taskId: 'early', clinicianId: 'idle' },
      { taskId: 'late', clinicianId: 'fresh' },
    ]);
  });

  it('never gives a clinician more tasks than free slots', () => {
    const matches = matchTasks({ tasks: [task('a'), task('b'), task('c')], clinicians: [doctor('d')], queues: [queue], now });
    expect(matches).toHaveLength(1);
  });

  it('lets priority jump the line, but aging lets old low-priority tasks catch up', () => {
    const urgentNew = task('urgent', { priority: 1, enqueuedAt: secondsAgo(10) });
    const routineOld = task('routine', { priority: 0, enqueuedAt: secondsAgo(200) });
    expect(matchTasks({ tasks: [routineOld, urgentNew], clinicians: [doctor('d')], queues: [queue], now })[0]?.taskId).toBe('urgent');
    const routineVeryOld = task('routine', { priority: 0, enqueuedAt: secondsAgo(400) });
    expect(matchTasks({ tasks: [routineVeryOld, urgentNew], clinicians: [doctor('d')], queues: [queue], now })[0]?.taskId).toBe('routine');
  });

  it('holds a follow-up for the patient’s own clinician, then widens to the queue', () => {
    const fresh = task('t', { preferredClinicianId: 'own', enqueuedAt: secondsAgo(30) });
    expect(matchTasks({ tasks: [fresh], clinicians: [doctor('other')], queues: [queue], now })).toEqual([]);
    expect(matchTasks({ tasks: [fresh], clinicians: [doctor('other'), doctor('own', { idleSince: secondsAgo(1) })], queues: [queue], now })).toEqual([
      { taskId: 't', clinicianId: 'own' },
    ]);
    const widened = task('t', { preferredClinicianId: 'own', enqueuedAt: secondsAgo(121) });
    expect(matchTasks({ tasks: [widened], clinicians: [doctor('other')], queues: [queue], now })).toEqual([{ taskId: 't', clinicianId: 'other' }]);
  });

  it('lets a later task through while an earlier one waits for its own clinician', () => {
    const matches = matchTasks({
      tasks: [task('reserved', { preferredClinicianId: 'own', enqueuedAt: secondsAgo(60) }), task('anyone', { enqueuedAt: secondsAgo(5) })],
      clinicians: [doctor('other')],
      queues: [queue],
      now,
    });
    expect(matches).toEqual([{ taskId: 'anyone', clinicianId: 'other' }]);
  });

  it('requires the queue’s and the task’s skills', () => {
    const cardiology = { ...queue, requiredSkills: ['dept:cardiology'] };
    const t = task('t', { requiredSkills: ['lang:en'] });
    expect(matchTasks({ tasks: [t], clinicians: [doctor('gp', { skills: ['lang:en'] })], queues: [cardiology], now })).toEqual([]);
    expect(matchTasks({ tasks: [t], clinicians: [doctor('cardio', { skills: ['dept:cardiology', 'lang:en'] })], queues: [cardiology], now })).toEqual([
      { taskId: 't', clinicianId: 'cardio' },
    ]);
  });

  it('does not offer a task again to a clinician who just declined it', () => {
    const t = task('t', { declinedBy: ['d1'] });
    expect(matchTasks({ tasks: [t], clinicians: [doctor('d1')], queues: [queue], now })).toEqual([]);
    expect(matchTasks({ tasks: [t], clinicians: [doctor('d1'), doctor('d2')], queues: [queue], now })).toEqual([{ taskId: 't', clinicianId: 'd2' }]);
  });
});
