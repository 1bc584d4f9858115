// The rules a clinic's menu must keep before callers hear it. The schema (server/shared/schemas/ivr.ts) checks the
// shape; this checks the whole tree: where each option leads, that every menu is reached and that no caller can be
// kept in the menu for ever, by their keys or by their silence (the machine, ivr-machine.ts, relies on both).
import type { z } from 'zod';
import { DomainError } from '@/server/errors';
import { ENDING_ACTION_KINDS, MAX_OPTIONS_PER_NODE, menuTree, type MenuNode, type MenuTree } from '@/server/shared/schemas/ivr';

export const MENU_PROBLEM_CODES = [
  /** The shape: a missing or too long text, a digit that is no key, a malformed node id. */
  'invalid',
  'duplicateNodeId',
  'unknownRoot',
  'duplicateDigit',
  'tooManyOptions',
  'unknownTarget',
  'unknownQueue',
  'defaultNotAnOption',
  'unreachable',
  /** No key pressed here, nor in the menus it leads to, ever ends the menu. */
  'noEnding',
  /** Saying nothing here leads, default after default, back here: the caller would hear menus for ever. */
  'defaultLoops',
] as const;
export type MenuProblemCode = (typeof MENU_PROBLEM_CODES)[number];

export type MenuProblem = {
  /** The node at fault (its id as sent), or null for the menu as a whole (rootId, the list of nodes). */
  nodeId: string | null;
  /** Where in the node (or the menu): 'options.2.digit', 'defaultDigit', 'title.zh', 'rootId'... ('' is the whole menu). */
  field: string;
  problem: MenuProblemCode;
  /** A plain English sentence naming the node and the field, for logs and API users; the UI translates `problem`. */
  message: string;
};

export type MenuValidation = { ok: true; tree: MenuTree } | { ok: false; problems: MenuProblem[] };

/** A menu the server refused: BAD_REQUEST invalidMenu, with every problem for the editor to mark. */
export class InvalidMenuError extends DomainError {
  constructor(public readonly problems: MenuProblem[]) {
    super(
      'BAD_REQUEST',
      `The menu was not saved: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`}. ${problems[0]?.message ?? ''}`.trim(),
      'invalidMenu',
    );
    this.name = 'InvalidMenuError';
  }
}

const isEnding = (kind: string) => (ENDING_ACTION_KINDS as readonly string[]).includes(kind);

function where(nodeId: string | null, field: string): string {
  if (nodeId === null) return field ? `The menu's ${field}` : 'The menu';
  return field ? `Node "${nodeId}", ${field},` : `Node "${nodeId}"`;
}

const problem = (nodeId: string | null, field: string, code: MenuProblemCode, what: string): MenuProblem => ({
  nodeId,
  field,
  problem: code,
  message: `${where(nodeId, field)} ${what}`,
});

// ---- the shape

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is missing.';
      return `must be ${issue.expected === 'array' ? 'a list' : /^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`}.`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty.';
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} ${Number(issue.minimum) === 1 ? 'entry' : 'entries'}.`;
      return `must be at least ${String(issue.minimum)}.`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters long.`;
      if (issue.origin === 'array') return `may have at most ${String(issue.maximum)} entries.`;
      return `must be at most ${String(issue.maximum)}.`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}.`;
    case 'invalid_union':
      return 'has an action kind that does not exist (submenu, queue, reschedule, vitals, callback, repeat, back or operator).';
    case 'invalid_format':
      return `is not valid: ${issue.message}.`;
    default:
      return `is not valid: ${issue.message}.`;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A zod issue as a problem of the node it is in: path ['nodes', 2, 'options', 1, 'digit'] is node 2's 'options.1.digit'. */
function structureProblem(issue: z.core.$ZodIssue, input: unknown): MenuProblem {
  const path = issue.path;
  const what = describeIssue(issue, valueAt(input, path));
  if (path[0] === 'nodes' && typeof path[1] === 'number' && path.length > 2) {
    const rawId = valueAt(input, ['nodes', path[1], 'id']);
    const nodeId = typeof rawId === 'string' && rawId.trim() ? rawId.trim() : null;
    const field = path.slice(2).map(String).join('.');
    return nodeId === null ? problem(null, `nodes.${path[1]}.${field}`, 'invalid', what) : problem(nodeId, field, 'invalid', what);
  }
  return problem(null, path.map(String).join('.'), 'invalid', what);
}

// ---- the whole tree

function submenuTargets(node: MenuNode): string[] {
  return node.options.flatMap((option) => (option.action.kind === 'submenu' ? [option.action.nodeId] : []));
}

/** The nodes of `tree` each node can be entered from (by any key), which is where its back key can lead. */
function parentsOf(tree: MenuTree): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>(tree.nodes.map((node) => [node.id, new Set()]));
  for (const node of tree.nodes) for (const target of submenuTargets(node)) if (target !== node.id) parents.get(target)?.add(node.id);
  return parents;
}

function reachableFromRoot(tree: MenuTree, byId: ReadonlyMap<string, MenuNode>): Set<string> {
  const seen = new Set<string>([tree.rootId]);
  const toVisit = [tree.rootId];
  while (toVisit.length) {
    const node = byId.get(toVisit.pop()!);
    for (const target of node ? submenuTargets(node) : []) {
      if (byId.has(target) && !seen.has(target)) {
        seen.add(target);
        toVisit.push(target);
      }
    }
  }
  return seen;
}

/** Nodes from which some keys end the menu: an ending option here, or a submenu (or back) to a node that has one. */
function nodesThatCanEnd(tree: MenuTree, parents: ReadonlyMap<string, Set<string>>): Set<string> {
  const good = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const node of tree.nodes) {
      if (good.has(node.id)) continue;
      const ends = node.options.some(({ action }) => {
        if (isEnding(action.kind)) return true;
        if (action.kind === 'submenu') return good.has(action.nodeId);
        // Back from the root repeats it; elsewhere it returns to the menu the caller came from.
        if (action.kind === 'back') return node.id !== tree.rootId && [...(parents.get(node.id) ?? [])].some((parent) => good.has(parent));
        return false;
      });
      if (ends) {
        good.add(node.id);
        changed = true;
      }
    }
  }
  return good;
}

/**
 * Where silence leads from each node: its default's submenu, or for a default back every menu it may have been
 * entered from (the machine's trail holds one of them). A default repeat, or back at the root (a repeat there),
 * stays. A node whose default ends the menu leads nowhere. Any cycle in this graph can hold a silent caller.
 */
function silenceEdges(tree: MenuTree, parents: ReadonlyMap<string, Set<string>>): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const node of tree.nodes) {
    const action = node.options.find((option) => option.digit === node.defaultDigit)?.action;
    if (!action || isEnding(action.kind)) edges.set(node.id, []);
    else if (action.kind === 'submenu') edges.set(node.id, [action.nodeId]);
    else if (action.kind === 'repeat' || node.id === tree.rootId) edges.set(node.id, [node.id]);
    else edges.set(node.id, [...(parents.get(node.id) ?? [])]);
  }
  return edges;
}

/** The nodes on a cycle of `edges` (Tarjan's strongly connected components; a self-loop counts). */
function onCycles(edges: ReadonlyMap<string, string[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cyclic = new Set<string>();
  let counter = 0;
  const visit = (id: string) => {
    index.set(id, counter);
    low.set(id, counter);
    counter += 1;
    stack.push(id);
    onStack.add(id);
    for (const next of edges.get(id) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id)!, index.get(next)!));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      if (component.length > 1 || (edges.get(id) ?? []).includes(id)) for (const m of component) cyclic.add(m);
    }
  };
  for (const id of edges.keys()) if (!index.has(id)) visit(id);
  return cyclic;
}

function treeProblems(tree: MenuTree, queueSlugs: readonly string[]): MenuProblem[] {
  const problems: MenuProblem[] = [];
  /** A duplicate id, a missing root or target: the rules that follow the menu's paths wait until every path leads somewhere. */
  let pathsBroken = false;
  const byId = new Map<string, MenuNode>();
  for (const [i, node] of tree.nodes.entries()) {
    if (byId.has(node.id)) {
      problems.push(
        problem(node.id, 'id', 'duplicateNodeId', `is the id of an earlier node too (this is node ${i + 1} of the menu); each node needs its own id.`),
      );
      pathsBroken = true;
    } else byId.set(node.id, node);
  }
  if (!byId.has(tree.rootId)) {
    problems.push(problem(null, 'rootId', 'unknownRoot', `names "${tree.rootId}", which is not a node of this menu.`));
    pathsBroken = true;
  }

  const queues = new Set(queueSlugs);
  for (const node of tree.nodes) {
    if (node.options.length > MAX_OPTIONS_PER_NODE) {
      problems.push(problem(node.id, 'options', 'tooManyOptions', `has ${node.options.length} options; a menu may have at most ${MAX_OPTIONS_PER_NODE}.`));
    }
    const digits = new Set<string>();
    for (const [i, option] of node.options.entries()) {
      if (digits.has(option.digit))
        problems.push(problem(node.id, `options.${i}.digit`, 'duplicateDigit', `uses key ${option.digit}, which an earlier option already uses.`));
      digits.add(option.digit);
      const { action } = option;
      if (action.kind === 'submenu' && !byId.has(action.nodeId)) {
        problems.push(problem(node.id, `options.${i}.action.nodeId`, 'unknownTarget', `leads to "${action.nodeId}", which is not a node of this menu.`));
        pathsBroken = true;
      }
      if (action.kind === 'queue' && !queues.has(action.queueSlug)) {
        problems.push(
          problem(node.id, `options.${i}.action.queueSlug`, 'unknownQueue', `names the queue "${action.queueSlug}", which this clinic does not have.`),
        );
      }
    }
    if (!digits.has(node.defaultDigit)) {
      const what =
        node.options.length === 0
          ? 'has no option to take when the caller presses nothing: add options.'
          : `is ${node.defaultDigit}, which is not a key of this node's options.`;
      problems.push(problem(node.id, 'defaultDigit', 'defaultNotAnOption', what));
    }
  }
  if (pathsBroken) return problems;

  const reachable = reachableFromRoot(tree, byId);
  for (const node of tree.nodes) {
    if (!reachable.has(node.id))
      problems.push(problem(node.id, 'id', 'unreachable', `cannot be reached from the first menu "${tree.rootId}": no submenu option leads to it.`));
  }
  const parents = parentsOf(tree);
  const canEnd = nodesThatCanEnd(tree, parents);
  for (const node of tree.nodes) {
    if (!canEnd.has(node.id)) {
      problems.push(
        problem(
          node.id,
          'options',
          'noEnding',
          'never ends the menu: no option here, nor in the menus it leads to, sends the caller to a queue, a form or a person.',
        ),
      );
    }
  }
  const looping = onCycles(silenceEdges(tree, parents));
  for (const node of tree.nodes) {
    if (canEnd.has(node.id) && looping.has(node.id)) {
      problems.push(
        problem(
          node.id,
          'defaultDigit',
          'defaultLoops',
          'leads a caller who presses nothing, default after default, back to this menu: let the default of one of these menus end the call.',
        ),
      );
    }
  }
  return problems;
}

/** The tree as the clinic may use it (trimmed), or every problem found, each naming its node and field. */
export function validateMenu(tree: unknown, context: { queueSlugs: string[] }): MenuValidation {
  const parsed = menuTree.safeParse(tree);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => structureProblem(issue, tree)) };
  const problems = treeProblems(parsed.data, context.queueSlugs);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tree: parsed.data };
}
