/** Each clinic's queue for specialist requests (seeded; admins set its rules like any queue). */
export const SPECIALIST_QUEUE_SLUG = 'specialist';
/** Every clinician in the specialist queue holds this skill, plus the departments they cover. */
export const SPECIALIST_SKILL = 'specialist';

/** Departments a specialist can be requested for; each is also the skill a specialist must hold. */
export const SPECIALIST_DEPARTMENTS = ['cardiology', 'endocrinology', 'nephrology', 'neurology', 'dermatology', 'psychiatry'] as const;
export type SpecialistDepartment = (typeof SPECIALIST_DEPARTMENTS)[number];

/** An urgent request is worth this many priority steps (each worth the queue's aging seconds of waiting). */
export const URGENT_PRIORITY = 3;
