import { describe, expect, it } from 'vitest';
import type { MenuAction, MenuNode, MenuTree } from '@/server/shared/schemas/ivr';
import { defaultMenu } from './default-menu';
import { InvalidMenuError, MENU_PROBLEM_CODES, validateMenu, type MenuProblem } from './validate-menu';

const queueSlugs = ['follow-up', 'specialist'];
const check = (tree: unknown) => validateMenu(tree, { queueSlugs });

function node(id: string, options: [string, MenuAction][], defaultDigit = options[0]?.[0] ?? '1'): MenuNode {
  return {
    id,
    title: { en: `Menu ${id}`, zh: `菜单 ${id}` },
    prompt: { en: `This is ${id}.`, zh: `这是 ${id}。` },
    recordings: {},
    options: options.map(([digit, action]) => ({ digit: digit as MenuNode['defaultDigit'], label: { en: `Option ${digit}`, zh: `选项 ${digit}` }, action })),
    defaultDigit: defaultDigit as MenuNode['defaultDigit'],
  };
}

const operator: MenuAction = { kind: 'operator' };
const queue = (queueSlug = 'follow-up'): MenuAction => ({ kind: 'queue', queueSlug, reason: { en: 'Routine', zh: '常规' }, priority: 0 });
const submenu = (nodeId: string): MenuAction => ({ kind: 'submenu', nodeId });

function problemsOf(tree: unknown): Omit<MenuProblem, 'message'>[] {
  const result = check(tree);
  if (result.ok) throw new Error('expected the tree to be refused');
  for (const p of result.problems) {
    expect(MENU_PROBLEM_CODES).toContain(p.problem);
    // A sentence naming the node (or the menu) and the field.
    expect(p.message).toMatch(/\.$/);
    if (p.nodeId) expect(p.message).toContain(`"${p.nodeId}"`);
    if (p.field) expect(p.message).toContain(p.field);
  }
  return result.problems.map(({ nodeId, field, problem }) => ({ nodeId, field, problem }));
}

describe('validateMenu', () => {
  it('accepts the default menu, trimmed, and a one-node menu', () => {
    const result = check(defaultMenu());
    expect(result).toEqual({ ok: true, tree: defaultMenu() });
    const padded = { rootId: ' main ', nodes: [{ ...node('main', [['0', operator]]), id: ' main' }] };
    const trimmed = check(padded);
    expect(trimmed.ok && trimmed.tree.rootId).toBe('main');
    expect(trimmed.ok && trimmed.tree.nodes[0]!.id).toBe('main');
  });

  it('maps the structure problems to their node and field', () => {
    const tree = structuredClone(defaultMenu()) as unknown as { nodes: Record<string, unknown>[] & { options: unknown[] }[] };
    const [main, sub] = tree.nodes as unknown as MenuNode[];
    (main!.options[1] as { digit: string }).digit = '*';
    (sub!.title as { zh: string }).zh = '   ';
    (sub!.options[0]!.action as { priority: number }).priority = 10;
    (sub!.options[2] as { action: unknown }).action = { kind: 'hangUp' };
    expect(problemsOf(tree)).toEqual([
      { nodeId: 'main', field: 'options.1.digit', problem: 'invalid' },
      { nodeId: 'see-doctor', field: 'title.zh', problem: 'invalid' },
      { nodeId: 'see-doctor', field: 'options.0.action.priority', problem: 'invalid' },
      { nodeId: 'see-doctor', field: 'options.2.action.kind', problem: 'invalid' },
    ]);
  });

  it('names a node without a usable id by its place, and the menu as a whole for its own fields', () => {
    const tree = { rootId: 'Main Menu', nodes: [{ ...node('a', [['1', operator]]), id: 'A B', prompt: { en: 'x'.repeat(401), zh: '好' } }] };
    const problems = problemsOf(tree);
    expect(problems).toContainEqual({ nodeId: null, field: 'rootId', problem: 'invalid' });
    expect(problems).toContainEqual({ nodeId: 'A B', field: 'id', problem: 'invalid' });
    expect(problems).toContainEqual({ nodeId: 'A B', field: 'prompt.en', problem: 'invalid' });
    expect(problemsOf({ rootId: 'a', nodes: [{ ...node('a', []), id: 7 }] })).toContainEqual({ nodeId: null, field: 'nodes.0.id', problem: 'invalid' });
    expect(problemsOf({ rootId: 'a', nodes: [] })).toEqual([{ nodeId: null, field: 'nodes', problem: 'invalid' }]);
    expect(problemsOf(null)).toEqual([{ nodeId: null, field: '', problem: 'invalid' }]);
    expect(problemsOf({ rootId: 'a' })).toEqual([{ nodeId: null, field: 'nodes', problem: 'invalid' }]);
  });

  it('refuses two nodes with one id', () => {
    const tree: MenuTree = { rootId: 'a', nodes: [node('a', [['1', operator]]), node('a', [['1', operator]])] };
    expect(problemsOf(tree)).toEqual([{ nodeId: 'a', field: 'id', problem: 'duplicateNodeId' }]);
  });

  it('refuses a root that is not a node', () => {
    expect(problemsOf({ rootId: 'start', nodes: [node('a', [['1', operator]])] })).toEqual([{ nodeId: null, field: 'rootId', problem: 'unknownRoot' }]);
  });

  it('refuses a key used twice in one node', () => {
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node('a', [
          ['1', operator],
          ['2', { kind: 'callback' }],
          ['1', { kind: 'vitals' }],
        ]),
      ],
    };
    expect(problemsOf(tree)).toEqual([{ nodeId: 'a', field: 'options.2.digit', problem: 'duplicateDigit' }]);
  });

  it('refuses more than nine options', () => {
    const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          digits.map((d) => [d, operator] as [string, MenuAction]),
        ),
      ],
    };
    expect(problemsOf(tree)).toEqual([{ nodeId: 'a', field: 'options', problem: 'tooManyOptions' }]);
  });

  it('refuses a submenu to a node that does not exist', () => {
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node('a', [
          ['1', operator],
          ['2', submenu('gone')],
        ]),
      ],
    };
    expect(problemsOf(tree)).toEqual([{ nodeId: 'a', field: 'options.1.action.nodeId', problem: 'unknownTarget' }]);
  });

  it('refuses a queue the clinic does not have', () => {
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          [
            ['1', queue('cardiology')],
            ['0', operator],
          ],
          '0',
        ),
      ],
    };
    expect(problemsOf(tree)).toEqual([{ nodeId: 'a', field: 'options.0.action.queueSlug', problem: 'unknownQueue' }]);
    expect(validateMenu(tree, { queueSlugs: ['cardiology'] }).ok).toBe(true);
  });

  it('refuses a default that is no option, also on a node without options', () => {
    expect(problemsOf({ rootId: 'a', nodes: [node('a', [['1', operator]], '5')] })).toEqual([
      { nodeId: 'a', field: 'defaultDigit', problem: 'defaultNotAnOption' },
    ]);
    const empty: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          [
            ['1', submenu('b')],
            ['0', operator],
          ],
          '0',
        ),
        node('b', [], '1'),
      ],
    };
    expect(problemsOf(empty)).toEqual([
      { nodeId: 'b', field: 'defaultDigit', problem: 'defaultNotAnOption' },
      { nodeId: 'b', field: 'options', problem: 'noEnding' },
    ]);
  });

  it('refuses a node no submenu leads to', () => {
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node('a', [['1', operator]]),
        node('island', [
          ['1', operator],
          ['2', submenu('a')],
        ]),
      ],
    };
    expect(problemsOf(tree)).toEqual([{ nodeId: 'island', field: 'id', problem: 'unreachable' }]);
  });

  it('refuses menus whose keys can only go round', () => {
    // a -> b -> c -> b, and c's other keys repeat or go back: nothing from b or c ends the menu.
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node('a', [
          ['0', operator],
          ['1', submenu('b')],
        ]),
        node('b', [['1', submenu('c')]]),
        node('c', [
          ['1', submenu('b')],
          ['2', { kind: 'repeat' }],
          ['9', { kind: 'back' }],
        ]),
      ],
    };
    expect(problemsOf(tree)).toEqual([
      { nodeId: 'b', field: 'options', problem: 'noEnding' },
      { nodeId: 'c', field: 'options', problem: 'noEnding' },
    ]);
    // A root of repeat and back alone (back at the root repeats it).
    expect(
      problemsOf({
        rootId: 'a',
        nodes: [
          node('a', [
            ['1', { kind: 'repeat' }],
            ['9', { kind: 'back' }],
          ]),
        ],
      }),
    ).toEqual([{ nodeId: 'a', field: 'options', problem: 'noEnding' }]);
  });

  it('accepts a submenu whose only way out is back to a menu that ends', () => {
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          [
            ['0', operator],
            ['1', submenu('info')],
          ],
          '0',
        ),
        node('info', [['9', { kind: 'back' }]]),
      ],
    };
    expect(check(tree).ok).toBe(true);
  });

  it('refuses defaults that lead a silent caller round for ever', () => {
    // Each menu can end, but saying nothing goes a -> b -> a ...
    const circle: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          [
            ['1', submenu('b')],
            ['0', operator],
          ],
          '1',
        ),
        node(
          'b',
          [
            ['1', submenu('a')],
            ['0', operator],
          ],
          '1',
        ),
      ],
    };
    expect(problemsOf(circle)).toEqual([
      { nodeId: 'a', field: 'defaultDigit', problem: 'defaultLoops' },
      { nodeId: 'b', field: 'defaultDigit', problem: 'defaultLoops' },
    ]);
    // A default repeat, and a default back at the root (which repeats it).
    for (const action of [{ kind: 'repeat' }, { kind: 'back' }] as MenuAction[]) {
      expect(
        problemsOf({
          rootId: 'a',
          nodes: [
            node(
              'a',
              [
                ['9', action],
                ['0', operator],
              ],
              '9',
            ),
          ],
        }),
      ).toEqual([{ nodeId: 'a', field: 'defaultDigit', problem: 'defaultLoops' }]);
    }
    // A default into a submenu whose default is back: back returns to the menu that sends the caller there again.
    const pingPong: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          [
            ['1', submenu('b')],
            ['0', operator],
          ],
          '1',
        ),
        node(
          'b',
          [
            ['9', { kind: 'back' }],
            ['0', operator],
          ],
          '9',
        ),
      ],
    };
    expect(problemsOf(pingPong).map((p) => [p.nodeId, p.problem])).toEqual([
      ['a', 'defaultLoops'],
      ['b', 'defaultLoops'],
    ]);
    // Back by default to a menu whose default ends is fine (the default menu's "see the doctor").
    const fine: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          [
            ['1', submenu('b')],
            ['0', operator],
          ],
          '0',
        ),
        node(
          'b',
          [
            ['9', { kind: 'back' }],
            ['1', queue()],
          ],
          '9',
        ),
      ],
    };
    expect(check(fine).ok).toBe(true);
  });

  it('reports every independent problem at once', () => {
    const tree: MenuTree = {
      rootId: 'a',
      nodes: [
        node(
          'a',
          [
            ['1', queue('nope')],
            ['1', operator],
          ],
          '7',
        ),
      ],
    };
    expect(problemsOf(tree)).toEqual([
      { nodeId: 'a', field: 'options.0.action.queueSlug', problem: 'unknownQueue' },
      { nodeId: 'a', field: 'options.1.digit', problem: 'duplicateDigit' },
      { nodeId: 'a', field: 'defaultDigit', problem: 'defaultNotAnOption' },
    ]);
  });

  it('carries the problems in the refusal the API passes on', () => {
    const result = check({ rootId: 'x', nodes: [node('a', [['1', operator]])] });
    const error = new InvalidMenuError(result.ok ? [] : result.problems);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', reason: 'invalidMenu', problems: [{ nodeId: null, field: 'rootId', problem: 'unknownRoot' }] });
    expect(error.message).toContain('rootId');
  });
});
