import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENDING_ACTION_KINDS, MENU_DIGITS, type MenuAction, type MenuNode, type MenuTree } from '@/server/shared/schemas/ivr';
import { defaultMenu } from './default-menu';
import { IVR_SILENT_ROUNDS_BEFORE_DEFAULT, resumeIvr, startIvr, stepIvr, type IvrInput, type IvrState, type IvrStep } from './ivr-machine';
import { validateMenu } from './validate-menu';

const QUEUES = ['follow-up', 'specialist'];
const key = (digit: string): IvrInput => ({ kind: 'digit', digit });
const silence: IvrInput = { kind: 'timeout' };

/** Feeds the inputs in turn from `step`'s state; the steps, the last one first when `last` is used. */
function run(tree: MenuTree, inputs: IvrInput[], from: IvrStep = startIvr(tree)): IvrStep[] {
  const steps = [from];
  for (const input of inputs) steps.push(stepIvr(tree, steps.at(-1)!.state, input));
  return steps;
}
const last = (tree: MenuTree, inputs: IvrInput[], from?: IvrStep) => run(tree, inputs, from).at(-1)!;

describe('the IVR machine on the default menu', () => {
  const tree = defaultMenu();

  it('starts at the root and enters the submenu, then ends in the queue with the keys pressed', () => {
    expect(startIvr(tree)).toEqual({ kind: 'prompt', why: 'enter', state: { nodeId: 'main', silentRounds: 0, trail: [], digits: [] } });
    const entered = last(tree, [key('1')]);
    expect(entered).toEqual({ kind: 'prompt', why: 'enter', pressed: '1', state: { nodeId: 'see-doctor', silentRounds: 0, trail: ['main'], digits: ['1'] } });
    const end = last(tree, [key('1'), key('2')]);
    expect(end).toEqual({
      kind: 'end',
      pressed: '2',
      action: { kind: 'queue', queueSlug: 'follow-up', reason: { en: 'New or worse symptoms', zh: '症状加重或新症状' }, priority: 2 },
      state: { nodeId: 'see-doctor', silentRounds: 0, trail: ['main'], digits: ['1', '2'] },
    });
  });

  it('ends at once on the main menu’s endings', () => {
    for (const [digit, kind] of [
      ['2', 'reschedule'],
      ['3', 'vitals'],
      ['4', 'callback'],
      ['0', 'operator'],
    ]) {
      expect(last(tree, [key(digit!)])).toMatchObject({ kind: 'end', action: { kind }, pressed: digit, state: { nodeId: 'main', digits: [digit] } });
    }
  });

  it('goes back to the menu before, and repeats the root on back there', () => {
    expect(last(tree, [key('1'), key('9')])).toEqual({
      kind: 'prompt',
      why: 'enter',
      pressed: '9',
      state: { nodeId: 'main', silentRounds: 0, trail: [], digits: ['1', '9'] },
    });
    const repeatTree: MenuTree = {
      rootId: 'a',
      nodes: [{ ...tree.nodes[0]!, id: 'a', options: [...tree.nodes[0]!.options, backOption('9'), repeatOption('8')] }],
    };
    expect(last(repeatTree, [key('9')])).toMatchObject({ kind: 'prompt', why: 'repeat', state: { nodeId: 'a', trail: [], digits: ['9'] } });
    expect(last(repeatTree, [key('8')])).toMatchObject({ kind: 'prompt', why: 'repeat', state: { nodeId: 'a', digits: ['8'] } });
  });

  it('says a key is no option, star and hash included, and keeps it out of the digits', () => {
    for (const digit of ['7', '*', '#', '', '12']) {
      expect(last(tree, [key(digit)])).toEqual({
        kind: 'prompt',
        why: 'invalid',
        pressed: digit,
        state: { nodeId: 'main', silentRounds: 0, trail: [], digits: [] },
      });
    }
  });

  it('counts silent rounds, resets them on any key, and takes the default on the third silence', () => {
    const steps = run(tree, [silence, silence]);
    expect(steps.map((s) => s.kind === 'prompt' && [s.why, s.state.silentRounds])).toEqual([
      ['enter', 0],
      ['noInput', 1],
      ['noInput', 2],
    ]);
    expect(IVR_SILENT_ROUNDS_BEFORE_DEFAULT).toBe(2);
    expect(last(tree, [silence, silence, silence])).toEqual({
      kind: 'end',
      action: { kind: 'operator' },
      pressed: null,
      state: { nodeId: 'main', silentRounds: 0, trail: [], digits: [] },
    });
    // Any key, an invalid one too, starts the count again.
    expect(last(tree, [silence, silence, key('#'), silence, silence])).toMatchObject({ kind: 'prompt', why: 'noInput', state: { silentRounds: 2 } });
  });

  it('follows a default that moves: back by silence, with the count reset', () => {
    const back = last(tree, [key('1'), silence, silence, silence]);
    expect(back).toEqual({ kind: 'prompt', why: 'enter', state: { nodeId: 'main', silentRounds: 0, trail: [], digits: ['1'] } });
    expect(last(tree, [silence, silence, silence], back)).toMatchObject({ kind: 'end', action: { kind: 'operator' }, pressed: null });
  });

  it('resumes a taken-over call at its node, with its keys and a way back', () => {
    expect(resumeIvr(tree, 'see-doctor', ['1'])).toEqual({
      kind: 'prompt',
      why: 'enter',
      state: { nodeId: 'see-doctor', silentRounds: 0, trail: ['main'], digits: ['1'] },
    });
    // Keys that do not lead there (a new version of the menu): the shortest way in is the way back.
    expect(resumeIvr(tree, 'see-doctor', ['4', '7'])).toMatchObject({ state: { nodeId: 'see-doctor', trail: ['main'], digits: ['4', '7'] } });
    expect(resumeIvr(tree, 'gone', ['1', '9'])).toEqual({
      kind: 'prompt',
      why: 'enter',
      state: { nodeId: 'main', silentRounds: 0, trail: [], digits: ['1', '9'] },
    });
    expect(resumeIvr(tree, null, [])).toEqual(startIvr(tree));
  });

  it('starts again at the root, keeping the keys, when the state is from another menu', () => {
    const foreign: IvrState = { nodeId: 'old-node', silentRounds: 1, trail: ['x'], digits: ['3'] };
    expect(stepIvr(tree, foreign, key('1'))).toEqual({ kind: 'prompt', why: 'enter', state: { nodeId: 'main', silentRounds: 0, trail: [], digits: ['3'] } });
  });

  it('keeps the trail a simple path when a submenu leads back up', () => {
    const nodes: MenuNode[] = [
      plainNode('a', [submenuOption('1', 'b'), endingOption('0')]),
      plainNode('b', [submenuOption('1', 'c'), endingOption('0')]),
      plainNode('c', [submenuOption('1', 'a'), backOption('9'), endingOption('0')]),
    ];
    const tree3: MenuTree = { rootId: 'a', nodes };
    expect(last(tree3, [key('1'), key('1')]).state.trail).toEqual(['a', 'b']);
    // "Main menu" from c: back at the root repeats it instead of returning to c.
    expect(last(tree3, [key('1'), key('1'), key('1')]).state).toMatchObject({ nodeId: 'a', trail: [] });
    expect(last(tree3, [key('1'), key('1'), key('1'), key('1'), key('1'), key('9')]).state).toMatchObject({ nodeId: 'b', trail: ['a'] });
  });

  it('hands the caller to a person where an unchecked menu has no default to take', () => {
    const broken: MenuTree = { rootId: 'a', nodes: [plainNode('a', [submenuOption('1', 'missing')], '5')] };
    expect(last(broken, [silence, silence, silence])).toMatchObject({ kind: 'end', action: { kind: 'operator' }, pressed: null });
    expect(last(broken, [key('1')])).toMatchObject({ kind: 'prompt', why: 'repeat', state: { nodeId: 'a' } });
  });
});

// ---- arbitrary valid menus

function plainNode(id: string, options: MenuNode['options'], defaultDigit = options[0]?.digit ?? '1'): MenuNode {
  return { id, title: { en: `Menu ${id}`, zh: `菜单${id}` }, prompt: { en: `Menu ${id}.`, zh: `菜单${id}。` }, recordings: {}, options, defaultDigit };
}
function option(digit: string, action: MenuAction): MenuNode['options'][number] {
  return { digit: digit as MenuNode['defaultDigit'], label: { en: `Key ${digit}`, zh: `按键${digit}` }, action };
}
const submenuOption = (digit: string, nodeId: string) => option(digit, { kind: 'submenu', nodeId });
const backOption = (digit: string) => option(digit, { kind: 'back' });
const repeatOption = (digit: string) => option(digit, { kind: 'repeat' });
const endingOption = (digit: string) => option(digit, { kind: 'operator' });

const endingActions: MenuAction[] = [
  { kind: 'queue', queueSlug: 'follow-up', reason: { en: 'Routine', zh: '常规' }, priority: 0 },
  { kind: 'queue', queueSlug: 'specialist', reason: { en: 'Specialist', zh: '专科' }, priority: 3 },
  { kind: 'reschedule' },
  { kind: 'vitals' },
  { kind: 'callback' },
  { kind: 'operator' },
];
const isEnding = (action: MenuAction) => (ENDING_ACTION_KINDS as readonly string[]).includes(action.kind);

type Extra = { kind: 'ending'; which: number } | { kind: 'submenu'; to: number } | { kind: 'repeat' } | { kind: 'back' };

const extraArb: fc.Arbitrary<Extra> = fc.oneof(
  fc.record({ kind: fc.constant('ending' as const), which: fc.nat(endingActions.length - 1) }),
  fc.record({ kind: fc.constant('submenu' as const), to: fc.nat(20) }),
  fc.constant({ kind: 'repeat' as const }),
  fc.constant({ kind: 'back' as const }),
);

const shapeArb = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.record({
    // Node i > 0 is entered from parents[i - 1] (an earlier node): every node is reachable from the root.
    parents: fc.tuple(...Array.from({ length: n - 1 }, (_, i) => fc.nat(i))),
    extras: fc.array(fc.array(extraArb, { maxLength: 2 }), { minLength: n, maxLength: n }),
    keyOrders: fc.array(fc.shuffledSubarray([...MENU_DIGITS], { minLength: 10, maxLength: 10 }), { minLength: n, maxLength: n }),
    /** The order in which defaults are chosen, and which of the allowed ones. */
    defaultOrder: fc.shuffledSubarray(
      Array.from({ length: n }, (_, i) => i),
      { minLength: n, maxLength: n },
    ),
    defaultPicks: fc.array(fc.nat(), { minLength: n, maxLength: n }),
  }),
);

/**
 * A menu that keeps every rule by construction: reachable through a spanning tree of submenus, an ending added
 * where none is in reach, and defaults chosen in a random order, each ending, or leading by silence only to nodes
 * whose default was already chosen (so silence cannot go round). At most 8 options are drawn, leaving room for one ending.
 */
function buildTree(shape: { parents: number[]; extras: Extra[][]; keyOrders: string[][]; defaultOrder: number[]; defaultPicks: number[] }): MenuTree {
  const n = shape.extras.length;
  const id = (i: number) => `n${i}`;
  const actions: MenuAction[][] = Array.from({ length: n }, () => []);
  shape.parents.forEach((parent, i) => actions[parent]!.push({ kind: 'submenu', nodeId: id(i + 1) }));
  shape.extras.forEach((extras, i) => {
    for (const extra of extras) {
      if (extra.kind === 'ending') actions[i]!.push(endingActions[extra.which]!);
      else if (extra.kind === 'submenu') actions[i]!.push({ kind: 'submenu', nodeId: id(extra.to % n) });
      else actions[i]!.push({ kind: extra.kind });
    }
  });
  const parentsOf = (i: number) => new Set(actions.flatMap((list, j) => (j !== i && list.some((a) => a.kind === 'submenu' && a.nodeId === id(i)) ? [j] : [])));
  // Endings in reach (as the validator sees it); a node without one gets an ending of its own.
  const canEnd = new Set<number>();
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < n; i += 1) {
      if (canEnd.has(i)) continue;
      const ok = actions[i]!.some(
        (a) =>
          isEnding(a) ||
          (a.kind === 'submenu' && canEnd.has(Number(a.nodeId.slice(1)))) ||
          (a.kind === 'back' && i !== 0 && [...parentsOf(i)].some((p) => canEnd.has(p))),
      );
      if (ok) {
        canEnd.add(i);
        changed = true;
      }
    }
  }
  for (let i = 0; i < n; i += 1) if (!canEnd.has(i)) actions[i]!.push({ kind: 'callback' });

  const defaults: number[] = Array.from({ length: n }, () => -1);
  const chosen = new Set<number>();
  for (const [k, i] of shape.defaultOrder.entries()) {
    const list = actions[i]!;
    const allowed = list.flatMap((a, index) => {
      if (isEnding(a)) return [index];
      if (a.kind === 'submenu') return chosen.has(Number(a.nodeId.slice(1))) && a.nodeId !== id(i) ? [index] : [];
      if (a.kind === 'back') return i !== 0 && [...parentsOf(i)].every((p) => chosen.has(p)) ? [index] : [];
      return [];
    });
    if (allowed.length === 0) {
      list.push({ kind: 'operator' });
      allowed.push(list.length - 1);
    }
    defaults[i] = allowed[shape.defaultPicks[k]! % allowed.length]!;
    chosen.add(i);
  }

  const nodes = actions.map((list, i) => {
    const digits = shape.keyOrders[i]!;
    return plainNode(
      id(i),
      list.map((action, index) => option(digits[index]!, action)),
      digits[defaults[i]!] as MenuNode['defaultDigit'],
    );
  });
  return { rootId: id(0), nodes };
}

const validTreeArb = shapeArb.map((shape) => buildTree(shape));
const inputArb: fc.Arbitrary<IvrInput> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...MENU_DIGITS, '*', '#').map(key) },
  { weight: 2, arbitrary: fc.constant(silence) },
);

/** Only silence from `state`: the steps until the menu ends, or null when it has not ended after `limit`. */
function silenceUntilEnd(tree: MenuTree, state: IvrState, limit: number): number | null {
  let current = state;
  for (let steps = 1; steps <= limit; steps += 1) {
    const step = stepIvr(tree, current, silence);
    if (step.kind === 'end') return steps;
    current = step.state;
  }
  return null;
}

function expectSound(tree: MenuTree, step: IvrStep) {
  const ids = new Set(tree.nodes.map((n) => n.id));
  const { state } = step;
  expect(ids.has(state.nodeId)).toBe(true);
  for (const id of state.trail) expect(ids.has(id)).toBe(true);
  // The trail is a simple path that does not hold the current node.
  expect(new Set([...state.trail, state.nodeId]).size).toBe(state.trail.length + 1);
  expect(state.silentRounds).toBeGreaterThanOrEqual(0);
  expect(state.silentRounds).toBeLessThanOrEqual(IVR_SILENT_ROUNDS_BEFORE_DEFAULT);
  if (step.kind === 'end') expect(ENDING_ACTION_KINDS).toContain(step.action.kind);
}

describe('the IVR machine on arbitrary valid menus', () => {
  it('builds menus the validator accepts', () => {
    fc.assert(
      fc.property(validTreeArb, (tree) => {
        const result = validateMenu(tree, { queueSlugs: QUEUES });
        expect(result.ok ? [] : result.problems).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, stays in the tree, ends only with endings, and silence always ends the menu', () => {
    fc.assert(
      fc.property(validTreeArb, fc.array(inputArb, { maxLength: 60 }), (tree, inputs) => {
        // Three silences per node visited on the longest default path, at most one visit each.
        const bound = (IVR_SILENT_ROUNDS_BEFORE_DEFAULT + 1) * tree.nodes.length;
        let step = startIvr(tree);
        const pressed: string[] = [];
        for (const input of inputs) {
          expectSound(tree, step);
          expect(silenceUntilEnd(tree, step.state, bound), `stuck at ${step.state.nodeId}`).not.toBeNull();
          if (step.kind === 'end') {
            // The call left the menu; the next caller starts over (or a takeover resumes where this one was).
            step = resumeIvr(tree, step.state.nodeId, step.state.digits);
            pressed.length = 0;
            pressed.push(...step.state.digits);
            continue;
          }
          const node = tree.nodes.find((n) => n.id === step.state.nodeId)!;
          if (input.kind === 'digit' && node.options.some((o) => o.digit === input.digit)) pressed.push(input.digit);
          step = stepIvr(tree, step.state, input);
          expect(step.state.digits).toEqual(pressed);
          if (input.kind === 'digit') expect(step.state.silentRounds).toBe(0);
        }
        expectSound(tree, step);
      }),
      { numRuns: 400 },
    );
  });

  it('resumes at any node of the tree with the keys given', () => {
    fc.assert(
      fc.property(validTreeArb, fc.nat(), fc.array(fc.constantFrom(...MENU_DIGITS), { maxLength: 8 }), (tree, pick, digits) => {
        const nodeId = tree.nodes[pick % tree.nodes.length]!.id;
        const step = resumeIvr(tree, nodeId, digits);
        expect(step).toMatchObject({ kind: 'prompt', why: 'enter', state: { nodeId, silentRounds: 0, digits } });
        expectSound(tree, step);
        expect(silenceUntilEnd(tree, step.state, (IVR_SILENT_ROUNDS_BEFORE_DEFAULT + 1) * tree.nodes.length)).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
