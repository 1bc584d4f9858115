// The video IVR as a pure state machine: the media agent feeds it the web keypad's keys and a phone's DTMF alike,
// plays what each step says and acts on the ending. It never throws and never leaves the tree: a state from another
// version of the menu starts again at the root. On a validated tree (validate-menu.ts) silence always ends the menu.
import { ENDING_ACTION_KINDS, type EndingAction, type MenuAction, type MenuNode, type MenuOption, type MenuTree } from '@/server/shared/schemas/ivr';

export type IvrState = {
  nodeId: string;
  silentRounds: number;
  /** Node ids entered before this one, for back: a simple path from the root, never holding the current node. */
  trail: string[];
  /** Every key pressed that was an option, in order (a default taken on silence was not pressed). */
  digits: string[];
};

export type IvrInput = { kind: 'digit'; digit: string } | { kind: 'timeout' };

export type IvrStep =
  /** `pressed`: the key that led here (for 'invalid' the key that is no option); absent after silence. */
  | { kind: 'prompt'; state: IvrState; why: 'enter' | 'repeat' | 'noInput' | 'invalid'; pressed?: string }
  | { kind: 'end'; state: IvrState; action: EndingAction; pressed: string | null /* null when the default was taken */ };

/** Prompts heard to the end with nothing pressed before the node's default is taken (the next silence takes it). */
export const IVR_SILENT_ROUNDS_BEFORE_DEFAULT = 2;

/** Where a node has no usable default (a tree that was never validated): a person takes the caller. */
const FALLBACK_ACTION: EndingAction = { kind: 'operator' };

const isEnding = (action: MenuAction): action is EndingAction => (ENDING_ACTION_KINDS as readonly string[]).includes(action.kind);

function nodeOf(tree: MenuTree, nodeId: string | null): MenuNode | undefined {
  return nodeId === null ? undefined : tree.nodes.find((node) => node.id === nodeId);
}

function rootOf(tree: MenuTree): MenuNode {
  return nodeOf(tree, tree.rootId) ?? tree.nodes[0]!;
}

/** The trail on entering `target` from `from`: back to an earlier menu cuts the trail there, so it stays a simple path. */
function trailInto(trail: readonly string[], from: string, target: string): string[] {
  const next = [...trail, from];
  const at = next.indexOf(target);
  return at === -1 ? next : next.slice(0, at);
}

const prompt = (state: IvrState, why: Extract<IvrStep, { kind: 'prompt' }>['why'], pressed: string | null): IvrStep =>
  pressed === null ? { kind: 'prompt', state, why } : { kind: 'prompt', state, why, pressed };

/** What an option does, pressed (`pressed` is its key) or taken as the default (`pressed` null). */
function take(tree: MenuTree, state: IvrState, option: MenuOption | undefined, pressed: string | null): IvrStep {
  const digits = pressed === null ? state.digits : [...state.digits, pressed];
  const here: IvrState = { ...state, silentRounds: 0, digits };
  const action = option?.action ?? FALLBACK_ACTION;
  if (isEnding(action)) return { kind: 'end', state: here, action, pressed };
  switch (action.kind) {
    case 'submenu': {
      // A target missing from an unvalidated tree: the caller hears this menu again rather than nothing.
      if (!nodeOf(tree, action.nodeId)) return prompt(here, 'repeat', pressed);
      return prompt({ ...here, nodeId: action.nodeId, trail: trailInto(state.trail, state.nodeId, action.nodeId) }, 'enter', pressed);
    }
    case 'back': {
      const previous = state.trail.at(-1);
      if (previous === undefined || !nodeOf(tree, previous)) return prompt({ ...here, trail: [] }, 'repeat', pressed);
      return prompt({ ...here, nodeId: previous, trail: state.trail.slice(0, -1) }, 'enter', pressed);
    }
    case 'repeat':
      return prompt(here, 'repeat', pressed);
  }
}

/** The first prompt of a call: the root menu. */
export function startIvr(tree: MenuTree): IvrStep {
  return { kind: 'prompt', state: { nodeId: rootOf(tree).id, silentRounds: 0, trail: [], digits: [] }, why: 'enter' };
}

/** Shortest way in by submenus from the root to `target`, as a trail (without `target`); [] when there is none. */
function shortestTrail(tree: MenuTree, target: string): string[] {
  const root = rootOf(tree).id;
  const cameFrom = new Map<string, string | null>([[root, null]]);
  const toVisit = [root];
  while (toVisit.length) {
    const id = toVisit.shift()!;
    if (id === target) {
      const trail: string[] = [];
      for (let at = cameFrom.get(id) ?? null; at !== null; at = cameFrom.get(at) ?? null) trail.unshift(at);
      return trail;
    }
    for (const option of nodeOf(tree, id)?.options ?? []) {
      if (option.action.kind === 'submenu' && !cameFrom.has(option.action.nodeId) && nodeOf(tree, option.action.nodeId)) {
        cameFrom.set(option.action.nodeId, id);
        toVisit.push(option.action.nodeId);
      }
    }
  }
  return [];
}

/** The trail the caller's keys make from the root, if they lead to `target`; else the shortest way there. */
function trailTo(tree: MenuTree, target: string, digits: readonly string[]): string[] {
  let state: IvrState = { nodeId: rootOf(tree).id, silentRounds: 0, trail: [], digits: [] };
  for (const digit of digits) {
    const option = nodeOf(tree, state.nodeId)?.options.find((o) => o.digit === digit);
    if (!option) continue;
    const step = take(tree, state, option, digit);
    if (step.kind === 'end') break;
    state = step.state;
  }
  return state.nodeId === target ? state.trail : shortestTrail(tree, target);
}

/**
 * A call another worker takes over: the prompt of the node the caller was on, when this tree has it (else the
 * root), with the keys pressed so far. Back from there goes where the caller's keys came from.
 */
export function resumeIvr(tree: MenuTree, nodeId: string | null, digits: string[]): IvrStep {
  const node = nodeOf(tree, nodeId) ?? rootOf(tree);
  const trail = node.id === rootOf(tree).id ? [] : trailTo(tree, node.id, digits);
  return { kind: 'prompt', state: { nodeId: node.id, silentRounds: 0, trail, digits: [...digits] }, why: 'enter' };
}

/** One key or one silence. */
export function stepIvr(tree: MenuTree, state: IvrState, input: IvrInput): IvrStep {
  const node = nodeOf(tree, state.nodeId);
  // A state from another version of the menu: start again at its root, keeping what was pressed.
  if (!node) return resumeIvr(tree, null, state.digits);
  if (input.kind === 'digit') {
    const option = node.options.find((o) => o.digit === input.digit);
    if (!option) return prompt({ ...state, silentRounds: 0 }, 'invalid', input.digit);
    return take(tree, state, option, input.digit);
  }
  if (state.silentRounds < IVR_SILENT_ROUNDS_BEFORE_DEFAULT) return prompt({ ...state, silentRounds: state.silentRounds + 1 }, 'noInput', null);
  return take(
    tree,
    state,
    node.options.find((o) => o.digit === node.defaultDigit),
    null,
  );
}
