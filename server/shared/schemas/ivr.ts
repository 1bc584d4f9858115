// The shape of a clinic's video IVR menu: shared by the admin editor, the server's validation and the agents.
import { z } from 'zod';

export const MENU_DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;
export type MenuDigit = (typeof MENU_DIGITS)[number];
export const MAX_OPTIONS_PER_NODE = 9;

const text = (max: number) => z.string().trim().min(1).max(max);
/** Every caller-facing text is written in both languages the portal speaks. */
export const localizedText = (max: number) => z.object({ en: text(max), zh: text(max) });
export type LocalizedText = { en: string; zh: string };

export const nodeId = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Use lower-case letters, digits and dashes (at most 40)');

/** What pressing an option does. submenu, repeat and back move within the menu; the others end it. */
export const menuAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('submenu'), nodeId }),
  z.object({
    kind: z.literal('queue'),
    queueSlug: z.string().trim().min(1).max(64),
    /** Shown on the clinician's desk with the waiting patient. */
    reason: localizedText(80),
    priority: z.number().int().min(0).max(9),
  }),
  z.object({ kind: z.literal('reschedule') }),
  z.object({ kind: z.literal('vitals') }),
  z.object({ kind: z.literal('callback') }),
  z.object({ kind: z.literal('repeat') }),
  z.object({ kind: z.literal('back') }),
  z.object({ kind: z.literal('operator') }),
]);
export type MenuAction = z.infer<typeof menuAction>;
export type EndingAction = Extract<MenuAction, { kind: 'queue' | 'reschedule' | 'vitals' | 'callback' | 'operator' }>;
export const ENDING_ACTION_KINDS = ['queue', 'reschedule', 'vitals', 'callback', 'operator'] as const;

export const menuOption = z.object({
  digit: z.enum(MENU_DIGITS),
  label: localizedText(60),
  action: menuAction,
});
export type MenuOption = z.infer<typeof menuOption>;

export const menuNode = z.object({
  id: nodeId,
  title: localizedText(60),
  /** Spoken, and written above the options. */
  prompt: localizedText(400),
  /** An uploaded recording per language replaces the synthesized voice. */
  recordings: z.object({ en: z.string().min(1).max(64).optional(), zh: z.string().min(1).max(64).optional() }).default({}),
  options: z.array(menuOption),
  /** Taken when the caller presses nothing after the prompt was played three times. */
  defaultDigit: z.enum(MENU_DIGITS),
});
export type MenuNode = z.infer<typeof menuNode>;

/** The structure only; the rules that need the whole tree (targets, reachability, endings) are in server/ivr. */
export const menuTree = z.object({
  rootId: nodeId,
  nodes: z.array(menuNode).min(1).max(50),
});
export type MenuTree = z.infer<typeof menuTree>;
