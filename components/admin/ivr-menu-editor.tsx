'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import type { MenuProblem, MenuProblemCode } from '@/server/ivr/validate-menu';
import type { Messages } from '@/server/shared/i18n/dictionaries';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import type { AppLocale } from '@/server/shared/i18n/locales';
import {
  MAX_OPTIONS_PER_NODE,
  MENU_DIGITS,
  menuAction,
  menuNode,
  menuOption,
  type LocalizedText,
  type MenuAction,
  type MenuNode,
  type MenuTree,
} from '@/server/shared/schemas/ivr';
import { formatDateTime } from '@/server/shared/zoned';

type AdminMenu = inferRouterOutputs<AppRouter>['ivrMenu']['live'];
type Figures = inferRouterOutputs<AppRouter>['ivrMenu']['figures'];
type Queue = AdminMenu['queues'][number];
type T = Pick<Messages, 'ivrAdmin' | 'errors' | 'common'>;
type ActionKind = MenuAction['kind'];

const ACTION_KINDS = menuAction.options.map((option) => option.shape.kind.value) as ActionKind[];

// ---- the draft: what the inputs hold. Nodes and options have keys of their own, so a submenu keeps its target
// while the target's id is being typed, and a problem the server found stays on the option it was about.

type DraftAction = { kind: ActionKind; nodeKey: string; queueSlug: string; reason: LocalizedText; priority: string };
type DraftOption = { key: string; digit: string; label: LocalizedText; action: DraftAction };
type DraftNode = {
  key: string;
  id: string;
  title: LocalizedText;
  prompt: LocalizedText;
  recordings: MenuNode['recordings'];
  options: DraftOption[];
  defaultDigit: string;
};
type Draft = { rootKey: string; nodes: DraftNode[] };

let lastKey = 0;
const newKey = () => `k${(lastKey += 1)}`;
const blank = (): LocalizedText => ({ en: '', zh: '' });

function blankAction(queues: Queue[], kind: ActionKind = 'operator'): DraftAction {
  return { kind, nodeKey: '', queueSlug: queues[0]?.slug ?? '', reason: blank(), priority: '0' };
}

function draftOf(tree: MenuTree, queues: Queue[]): Draft {
  const keyOf = new Map<string, string>();
  for (const node of tree.nodes) if (!keyOf.has(node.id)) keyOf.set(node.id, newKey());
  const nodes = tree.nodes.map((node): DraftNode => ({
    key: keyOf.get(node.id)!,
    id: node.id,
    title: { ...node.title },
    prompt: { ...node.prompt },
    recordings: node.recordings ?? {},
    defaultDigit: node.defaultDigit,
    options: node.options.map(({ digit, label, action }) => {
      const draft = blankAction(queues, action.kind);
      if (action.kind === 'submenu') draft.nodeKey = keyOf.get(action.nodeId) ?? '';
      if (action.kind === 'queue') Object.assign(draft, { queueSlug: action.queueSlug, reason: { ...action.reason }, priority: String(action.priority) });
      return { key: newKey(), digit, label: { ...label }, action: draft };
    }),
  }));
  return { rootKey: keyOf.get(tree.rootId) ?? nodes[0]?.key ?? '', nodes };
}

/** What is sent: the server checks it all (validateMenu) and says what is wrong where. */
function treeOf(draft: Draft): unknown {
  const idOf = new Map(draft.nodes.map((node) => [node.key, node.id]));
  const actionOf = (action: DraftAction): unknown => {
    if (action.kind === 'submenu') return { kind: 'submenu', nodeId: idOf.get(action.nodeKey) ?? '' };
    if (action.kind === 'queue') {
      const priority = action.priority.trim();
      return { kind: 'queue', queueSlug: action.queueSlug, reason: action.reason, priority: /^\d+$/.test(priority) ? Number(priority) : priority };
    }
    return { kind: action.kind };
  };
  return {
    rootId: idOf.get(draft.rootKey) ?? '',
    nodes: draft.nodes.map((node) => ({
      id: node.id,
      title: node.title,
      prompt: node.prompt,
      recordings: node.recordings,
      options: node.options.map((option) => ({ digit: option.digit, label: option.label, action: actionOf(option.action) })),
      defaultDigit: node.defaultDigit,
    })),
  };
}

// ---- the server's problems, on the inputs they are about

/** The nodes and options as sent, so a problem's node id and option index find their inputs after later edits. */
type Sent = { nodes: { key: string; id: string; optionKeys: string[] }[] };
/** A problem on a node (its key), on an option of it, or (both null) on the menu; `field` is within that. */
type Marked = { nodeKey: string | null; optionKey: string | null; field: string; problem: MenuProblemCode };

function sentOf(draft: Draft): Sent {
  return { nodes: draft.nodes.map((node) => ({ key: node.key, id: node.id.trim(), optionKeys: node.options.map((option) => option.key) })) };
}

function mark(problems: readonly MenuProblem[], sent: Sent): Marked[] {
  return problems.flatMap(({ nodeId, field, problem }): Marked[] => {
    let nodes = nodeId === null ? [] : sent.nodes.filter((node) => node.id === nodeId);
    let inNode = field;
    // A node whose id was not usable is named by its place.
    const byPlace = nodeId === null ? /^nodes\.(\d+)(?:\.(.*))?$/.exec(field) : null;
    if (byPlace && sent.nodes[Number(byPlace[1])]) {
      nodes = [sent.nodes[Number(byPlace[1])]!];
      inNode = byPlace[2] ?? '';
    }
    if (nodes.length === 0) return [{ nodeKey: null, optionKey: null, field, problem }];
    return nodes.map((node) => {
      const inOption = /^options\.(\d+)(?:\.(.*))?$/.exec(inNode);
      const optionKey = inOption ? node.optionKeys[Number(inOption[1])] : undefined;
      if (!inOption || !optionKey) return { nodeKey: node.key, optionKey: null, field: inNode, problem };
      const rest = inOption[2] ?? '';
      return { nodeKey: node.key, optionKey, field: rest === 'action' ? 'action.kind' : rest, problem };
    });
  });
}

function reasonLimit(): number | null {
  for (const option of menuAction.options) if ('reason' in option.shape) return option.shape.reason.shape.en.maxLength;
  return null;
}

/** The longest text each field takes, read from the schema the server validates with. */
const TEXT_LIMITS: Record<string, number | null> = {
  title: menuNode.shape.title.shape.en.maxLength,
  prompt: menuNode.shape.prompt.shape.en.maxLength,
  label: menuOption.shape.label.shape.en.maxLength,
  'action.reason': reasonLimit(),
};

/** The problem in the reader's language. */
function problemText(t: T, { problem, field }: Marked): string {
  const words = t.ivrAdmin.problems;
  if (problem !== 'invalid') return format(words[problem], { max: MAX_OPTIONS_PER_NODE });
  if (field === 'id' || field === 'rootId') return words.invalidId;
  if (field === 'action.nodeId') return words.unknownTarget;
  if (field === 'action.priority') return words.invalidPriority;
  if (field === 'digit' || field === 'defaultDigit') return words.invalidDigit;
  const max = TEXT_LIMITS[field.replace(/\.(en|zh)$/, '')];
  return max ? format(words.invalidText, { max }) : words.invalid;
}

const FIELD_WORDS: Record<string, keyof Messages['ivrAdmin']['fields']> = {
  id: 'id',
  title: 'title',
  prompt: 'prompt',
  options: 'options',
  digit: 'digit',
  label: 'label',
  kind: 'action',
  action: 'action',
  nodeId: 'target',
  queueSlug: 'queue',
  reason: 'reason',
  priority: 'priority',
  defaultDigit: 'defaultDigit',
  rootId: 'rootId',
};

/** 'action.reason.zh' as "reason (Chinese)". */
function fieldWords(t: T, field: string): string {
  const words = t.ivrAdmin.fields;
  let parts = field.split('.').filter(Boolean);
  if (parts[0] === 'action' && parts.length > 1) parts = parts.slice(1);
  const language = parts.at(-1);
  if (language === 'en' || language === 'zh') parts = parts.slice(0, -1);
  const base = parts.map((part) => (FIELD_WORDS[part] ? words[FIELD_WORDS[part]] : part)).join(' ');
  if (language === 'en') return format(words.english, { field: base });
  if (language === 'zh') return format(words.chinese, { field: base });
  return base;
}

// ---- small pieces

const domId = (...parts: string[]) => parts.join('-').replace(/[^A-Za-z0-9_-]/g, '-');

function menuName(node: DraftNode, locale: AppLocale, t: T): string {
  const title = (locale === 'en' ? node.title.en : node.title.zh).trim() || node.title.en.trim() || node.title.zh.trim();
  return title || node.id.trim() || t.ivrAdmin.untitled;
}

/** A label, a control and, when the server refused it, why (announced with the control). */
function Field({
  id,
  label,
  errors,
  hint,
  children,
}: {
  id: string;
  label: string;
  errors: string[];
  hint?: string;
  children: (a11y: ControlA11y) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, errors.length > 0 ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {children({ id, 'aria-invalid': errors.length > 0 || undefined, 'aria-describedby': describedBy })}
      {errors.length > 0 && (
        <p id={`${id}-error`} className="field-error">
          {errors.join(' ')}
        </p>
      )}
    </div>
  );
}
type ControlA11y = { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };

function ErrorList({ id, errors }: { id: string; errors: string[] }) {
  if (errors.length === 0) return null;
  return (
    <ul id={id} className="field-error">
      {errors.map((error, i) => (
        <li key={i}>{error}</li>
      ))}
    </ul>
  );
}

// ---- the editor

const NODE_FIELDS = ['id', 'title.en', 'title.zh', 'prompt.en', 'prompt.zh', 'defaultDigit', 'options'];
function optionFields(kind: ActionKind): string[] {
  const base = ['digit', 'label.en', 'label.zh', 'action.kind'];
  if (kind === 'submenu') return [...base, 'action.nodeId'];
  if (kind === 'queue') return [...base, 'action.queueSlug', 'action.reason.en', 'action.reason.zh', 'action.priority'];
  return base;
}

function MenuForm({ menu }: { menu: AdminMenu }) {
  const { t, locale } = useI18n('ivrAdmin', 'errors');
  const w = t.ivrAdmin;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const uid = useId();
  const { queues } = menu;
  const [draft, setDraft] = useState(() => draftOf(menu.tree, queues));
  const [sent, setSent] = useState<Sent | null>(null);
  const [focusId, setFocusId] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const save = useMutation(
    trpc.ivrMenu.save.mutationOptions({
      onSuccess: async (saved) => {
        setDraft(draftOf(saved.tree, queues));
        setSent(null);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.ivrMenu.live.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.ivrMenu.figures.queryKey() }),
        ]);
      },
    }),
  );

  useEffect(() => {
    if (!focusId) return;
    document.getElementById(focusId)?.focus();
    setFocusId(null);
  }, [focusId]);
  const problems = save.error?.data?.problems ?? null;
  useEffect(() => {
    if (problems) summaryRef.current?.focus();
  }, [problems]);

  const marked = problems && sent ? mark(problems, sent) : [];
  const errorsAt = (nodeKey: string | null, optionKey: string | null, field: string) =>
    marked.filter((m) => m.nodeKey === nodeKey && m.optionKey === optionKey && m.field === field).map((m) => problemText(t, m));
  const leftovers = (nodeKey: string | null, optionKey: string | null, shown: string[]) =>
    marked.filter((m) => m.nodeKey === nodeKey && m.optionKey === optionKey && !shown.includes(m.field)).map((m) => problemText(t, m));

  const nodeIds = (node: DraftNode) => ({ base: domId(uid, node.key), at: (field: string) => domId(uid, node.key, field) });
  const optionId = (node: DraftNode, option: DraftOption, field: string) => domId(uid, node.key, option.key, field);

  /** Where the summary's link for a problem takes the keyboard: its control, else its option or menu. */
  function targetOf(m: Marked): string {
    const node = draft.nodes.find((n) => n.key === m.nodeKey);
    if (!node) return m.field === 'rootId' ? domId(uid, 'root') : domId(uid, 'form');
    const option = node.options.find((o) => o.key === m.optionKey);
    if (option) return optionFields(option.action.kind).includes(m.field) ? optionId(node, option, m.field) : optionId(node, option, 'group');
    if (m.optionKey) return nodeIds(node).at('options');
    return NODE_FIELDS.includes(m.field) ? nodeIds(node).at(m.field) : nodeIds(node).base;
  }
  function summaryLine(m: Marked): string {
    const node = draft.nodes.find((n) => n.key === m.nodeKey);
    const where = node ? menuName(node, locale, t) : w.wholeMenu;
    const optionIndex = node && m.optionKey ? node.options.findIndex((o) => o.key === m.optionKey) : -1;
    const field = [optionIndex >= 0 ? format(w.fields.option, { n: optionIndex + 1 }) : null, m.field ? fieldWords(t, m.field) : null]
      .filter(Boolean)
      .join(', ');
    const message = problemText(t, m);
    return field ? format(w.problemAt, { menu: where, field, message }) : format(w.problemAtMenu, { menu: where, message });
  }

  const updateNode = (key: string, change: (node: DraftNode) => DraftNode) =>
    setDraft((d) => ({ ...d, nodes: d.nodes.map((node) => (node.key === key ? change(node) : node)) }));
  const updateOption = (nodeKey: string, optionKey: string, change: (option: DraftOption) => DraftOption) =>
    updateNode(nodeKey, (node) => ({ ...node, options: node.options.map((option) => (option.key === optionKey ? change(option) : option)) }));

  function addNode() {
    const taken = new Set(draft.nodes.map((node) => node.id.trim()));
    let n = draft.nodes.length + 1;
    while (taken.has(`menu-${n}`)) n += 1;
    const option: DraftOption = { key: newKey(), digit: '9', label: blank(), action: blankAction(queues, 'back') };
    const node: DraftNode = { key: newKey(), id: `menu-${n}`, title: blank(), prompt: blank(), recordings: {}, options: [option], defaultDigit: '9' };
    setDraft((d) => ({ ...d, nodes: [...d.nodes, node] }));
    setFocusId(domId(uid, node.key, 'title.en'));
  }
  function removeNode(node: DraftNode) {
    setDraft((d) => ({ ...d, nodes: d.nodes.filter((n) => n.key !== node.key) }));
    setFocusId(domId(uid, 'add-menu'));
  }
  function addOption(node: DraftNode) {
    const used = new Set(node.options.map((option) => option.digit));
    const digit = MENU_DIGITS.find((d) => !used.has(d)) ?? '1';
    const option: DraftOption = { key: newKey(), digit, label: blank(), action: blankAction(queues) };
    updateNode(node.key, (n) => ({ ...n, options: [...n.options, option] }));
    setFocusId(optionId(node, option, 'digit'));
  }
  function removeOption(node: DraftNode, option: DraftOption) {
    updateNode(node.key, (n) => ({ ...n, options: n.options.filter((o) => o.key !== option.key) }));
    setFocusId(nodeIds(node).at('add-option'));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSent(sentOf(draft));
    save.mutate({ tree: treeOf(draft) });
  }

  const textInput = (value: string, onChange: (value: string) => void, a11y: ControlA11y, multiline = false) =>
    multiline ? (
      <textarea {...a11y} value={value} onChange={(e) => onChange(e.target.value)} rows={3} />
    ) : (
      <input {...a11y} value={value} onChange={(e) => onChange(e.target.value)} autoComplete="off" />
    );

  const localized = (node: DraftNode, field: 'title' | 'prompt', labels: [string, string], hint?: string) =>
    (['en', 'zh'] as const).map((lang, i) => (
      <Field
        key={lang}
        id={nodeIds(node).at(`${field}.${lang}`)}
        label={labels[i]!}
        hint={i === 0 ? hint : undefined}
        errors={errorsAt(node.key, null, `${field}.${lang}`)}
      >
        {(a11y) =>
          textInput(node[field][lang], (value) => updateNode(node.key, (n) => ({ ...n, [field]: { ...n[field], [lang]: value } })), a11y, field === 'prompt')
        }
      </Field>
    ));

  function optionEditor(node: DraftNode, option: DraftOption, index: number) {
    const at = (field: string) => optionId(node, option, field);
    const errors = (field: string) => errorsAt(node.key, option.key, field);
    const setAction = (change: Partial<DraftAction>) => updateOption(node.key, option.key, (o) => ({ ...o, action: { ...o.action, ...change } }));
    const groupErrors = leftovers(node.key, option.key, optionFields(option.action.kind));
    const name = menuName(node, locale, t);
    const { action } = option;
    return (
      <fieldset
        key={option.key}
        id={at('group')}
        tabIndex={-1}
        className="ivr-option"
        aria-describedby={groupErrors.length > 0 ? at('group-error') : undefined}
      >
        <legend>{format(w.optionLegend, { n: index + 1 })}</legend>
        <ErrorList id={at('group-error')} errors={groupErrors} />
        <Field id={at('digit')} label={w.digit} errors={errors('digit')}>
          {(a11y) => (
            <select {...a11y} value={option.digit} onChange={(e) => updateOption(node.key, option.key, (o) => ({ ...o, digit: e.target.value }))}>
              {MENU_DIGITS.map((digit) => (
                <option key={digit} value={digit}>
                  {digit}
                </option>
              ))}
            </select>
          )}
        </Field>
        {(['en', 'zh'] as const).map((lang) => (
          <Field key={lang} id={at(`label.${lang}`)} label={lang === 'en' ? w.labelEn : w.labelZh} errors={errors(`label.${lang}`)}>
            {(a11y) =>
              textInput(option.label[lang], (value) => updateOption(node.key, option.key, (o) => ({ ...o, label: { ...o.label, [lang]: value } })), a11y)
            }
          </Field>
        ))}
        <Field id={at('action.kind')} label={w.action} errors={errors('action.kind')}>
          {(a11y) => (
            <select {...a11y} value={action.kind} onChange={(e) => setAction({ kind: e.target.value as ActionKind })}>
              {ACTION_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {w.actions[kind]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {action.kind === 'submenu' && (
          <Field id={at('action.nodeId')} label={w.target} errors={errors('action.nodeId')}>
            {(a11y) => (
              <select
                {...a11y}
                value={draft.nodes.some((n) => n.key === action.nodeKey) ? action.nodeKey : ''}
                onChange={(e) => setAction({ nodeKey: e.target.value })}
              >
                <option value="">{w.chooseTarget}</option>
                {draft.nodes.map((target) => (
                  <option key={target.key} value={target.key}>
                    {menuName(target, locale, t)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {action.kind === 'queue' && (
          <>
            <Field id={at('action.queueSlug')} label={w.queue} errors={errors('action.queueSlug')}>
              {(a11y) => (
                <select {...a11y} value={action.queueSlug} onChange={(e) => setAction({ queueSlug: e.target.value })}>
                  {!queues.some((q) => q.slug === action.queueSlug) && (
                    <option value={action.queueSlug}>{format(w.unknownQueueOption, { slug: action.queueSlug })}</option>
                  )}
                  {queues.map((queue) => (
                    <option key={queue.slug} value={queue.slug}>
                      {queue.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {(['en', 'zh'] as const).map((lang) => (
              <Field key={lang} id={at(`action.reason.${lang}`)} label={lang === 'en' ? w.reasonEn : w.reasonZh} errors={errors(`action.reason.${lang}`)}>
                {(a11y) => textInput(action.reason[lang], (value) => setAction({ reason: { ...action.reason, [lang]: value } }), a11y)}
              </Field>
            ))}
            <Field id={at('action.priority')} label={w.priority} errors={errors('action.priority')}>
              {(a11y) => (
                <input
                  {...a11y}
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={9}
                  step={1}
                  value={action.priority}
                  onChange={(e) => setAction({ priority: e.target.value })}
                />
              )}
            </Field>
          </>
        )}
        <button
          type="button"
          className="button small secondary"
          aria-label={format(w.removeOptionLabel, { n: index + 1, menu: name })}
          onClick={() => removeOption(node, option)}
        >
          {w.removeOption}
        </button>
      </fieldset>
    );
  }

  function nodeEditor(node: DraftNode, index: number) {
    const ids = nodeIds(node);
    const name = menuName(node, locale, t);
    const isRoot = node.key === draft.rootKey;
    const nodeErrors = leftovers(node.key, null, NODE_FIELDS);
    const optionsErrors = errorsAt(node.key, null, 'options');
    const digits = [...new Set(node.options.map((option) => option.digit))];
    const full = node.options.length >= MAX_OPTIONS_PER_NODE;
    return (
      <fieldset key={node.key} id={ids.base} tabIndex={-1} className="ivr-node" aria-describedby={nodeErrors.length > 0 ? `${ids.base}-error` : undefined}>
        <legend>{format(w.menuLegend, { n: index + 1, title: name })}</legend>
        <ErrorList id={`${ids.base}-error`} errors={nodeErrors} />
        <Field id={ids.at('id')} label={w.nodeId} errors={errorsAt(node.key, null, 'id')}>
          {(a11y) => textInput(node.id, (value) => updateNode(node.key, (n) => ({ ...n, id: value })), a11y)}
        </Field>
        {localized(node, 'title', [w.titleEn, w.titleZh])}
        {localized(node, 'prompt', [w.promptEn, w.promptZh], w.promptHint)}
        <fieldset
          id={ids.at('options')}
          tabIndex={-1}
          className="ivr-options"
          aria-describedby={optionsErrors.length > 0 ? ids.at('options-error') : undefined}
        >
          <legend>{w.options}</legend>
          <ErrorList id={ids.at('options-error')} errors={optionsErrors} />
          {node.options.map((option, i) => optionEditor(node, option, i))}
          <button
            type="button"
            id={ids.at('add-option')}
            className="button small secondary"
            aria-label={format(w.addOptionLabel, { menu: name })}
            aria-describedby={full ? ids.at('full') : undefined}
            disabled={full}
            onClick={() => addOption(node)}
          >
            {w.addOption}
          </button>
          {full && (
            <p id={ids.at('full')} className="field-hint">
              {format(w.maxOptions, { max: MAX_OPTIONS_PER_NODE })}
            </p>
          )}
        </fieldset>
        <Field id={ids.at('defaultDigit')} label={w.defaultDigit} errors={errorsAt(node.key, null, 'defaultDigit')}>
          {(a11y) => (
            <select {...a11y} value={node.defaultDigit} onChange={(e) => updateNode(node.key, (n) => ({ ...n, defaultDigit: e.target.value }))}>
              {!digits.includes(node.defaultDigit) && <option value={node.defaultDigit}>{format(w.notAnOption, { digit: node.defaultDigit })}</option>}
              {node.options.map((option) => (
                <option key={option.key} value={option.digit}>
                  {`${option.digit} – ${(locale === 'en' ? option.label.en : option.label.zh) || w.actions[option.action.kind]}`}
                </option>
              ))}
            </select>
          )}
        </Field>
        {isRoot ? (
          <p className="field-hint">{w.rootNotRemovable}</p>
        ) : (
          <button
            type="button"
            className="button small secondary danger-text"
            aria-label={format(w.removeMenuLabel, { menu: name })}
            onClick={() => removeNode(node)}
          >
            {w.removeMenu}
          </button>
        )}
      </fieldset>
    );
  }

  const menuErrors = leftovers(null, null, ['rootId']);
  const rootErrors = errorsAt(null, null, 'rootId');
  const failure = save.error && !problems ? errorMessage(save.error, t, { codes: { FORBIDDEN: t.errors.forbidden, BAD_REQUEST: t.errors.invalidMenu } }) : null;

  return (
    <form
      id={domId(uid, 'form')}
      tabIndex={-1}
      className="ivr-editor"
      onSubmit={onSubmit}
      noValidate
      aria-describedby={menuErrors.length > 0 ? domId(uid, 'menu-error') : undefined}
    >
      <p className="muted">
        {menu.savedAt ? format(w.liveVersion, { version: menu.version, time: formatDateTime(new Date(menu.savedAt), menu.timeZone, locale) }) : w.liveDefault}
      </p>
      {problems && (
        <div ref={summaryRef} tabIndex={-1} role="alert" className="alert ivr-problems" aria-labelledby={domId(uid, 'problems-title')}>
          <p id={domId(uid, 'problems-title')}>{w.notSaved}</p>
          <ul>
            {marked.map((m, i) => (
              <li key={i}>
                <a
                  href={`#${targetOf(m)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    document.getElementById(targetOf(m))?.focus();
                  }}
                >
                  {summaryLine(m)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ErrorList id={domId(uid, 'menu-error')} errors={menuErrors} />
      <Field id={domId(uid, 'root')} label={w.rootLabel} errors={rootErrors}>
        {(a11y) => (
          <select {...a11y} value={draft.rootKey} onChange={(e) => setDraft((d) => ({ ...d, rootKey: e.target.value }))}>
            {draft.nodes.map((node) => (
              <option key={node.key} value={node.key}>
                {menuName(node, locale, t)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <h3>{w.menus}</h3>
      {draft.nodes.map((node, i) => nodeEditor(node, i))}
      <div className="queue-settings-actions">
        <button type="button" id={domId(uid, 'add-menu')} className="button secondary" onClick={addNode}>
          {w.addMenu}
        </button>
        <button className="button" type="submit" disabled={save.isPending}>
          {save.isPending ? w.saving : w.save}
        </button>
        <p role="status" className="saved">
          {save.isSuccess ? format(w.saved, { version: save.data.version }) : ''}
        </p>
      </div>
      {failure && (
        <p role="alert" className="alert">
          {failure}
        </p>
      )}
    </form>
  );
}

// ---- the figures

function duration(t: T, ms: number): string {
  const total = Math.round(ms / 1000);
  const words = t.ivrAdmin.figures;
  return total < 60 ? format(words.seconds, { seconds: total }) : format(words.minutes, { minutes: Math.floor(total / 60), seconds: total % 60 });
}

function MenuFigures() {
  const { t, locale } = useI18n('ivrAdmin', 'errors');
  const w = t.ivrAdmin.figures;
  const trpc = useTRPC();
  const uid = useId();
  const figures = useQuery(trpc.ivrMenu.figures.queryOptions({}));

  let content: ReactNode;
  if (figures.isPending) {
    content = (
      <p className="muted" role="status">
        {t.common.loading}
      </p>
    );
  } else if (figures.isError) {
    content = (
      <p role="alert" className="alert">
        {errorMessage(figures.error, t, { codes: { FORBIDDEN: t.errors.forbidden, NOT_FOUND: t.errors.notFound } })}
      </p>
    );
  } else if (figures.data.events === 0) {
    content = <p className="notice">{w.empty}</p>;
  } else {
    content = <FiguresTable figures={figures.data} t={t} locale={locale} />;
  }
  return (
    <section aria-labelledby={`${uid}-figures`} className="ivr-figures">
      <h3 id={`${uid}-figures`}>{w.title}</h3>
      {content}
    </section>
  );
}

function FiguresTable({ figures, t, locale }: { figures: Figures; t: T; locale: AppLocale }) {
  const w = t.ivrAdmin.figures;
  const columns = [w.menu, w.entries, w.choices, w.timeSpent, w.hangUps, w.invalidKeys, w.timeouts];
  return (
    <table className="appointments">
      <caption className="visually-hidden">{format(w.caption, { version: figures.version })}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {figures.nodes.map((node) => {
          const { average, total } = node.timeSpentMs;
          const choices = node.choices.map((choice) => format(w.choice, { digit: choice.digit, count: choice.count })).join(locale === 'en' ? ', ' : '，');
          return (
            <tr key={node.nodeId}>
              <th scope="row" data-label={w.menu}>
                {(locale === 'en' ? node.title.en : node.title.zh) || node.nodeId}
              </th>
              <td data-label={w.entries}>{node.entries}</td>
              <td data-label={w.choices}>{choices || w.none}</td>
              <td data-label={w.timeSpent}>{average === null ? w.none : `${duration(t, average)} / ${duration(t, total)}`}</td>
              <td data-label={w.hangUps}>{node.hangUps}</td>
              <td data-label={w.invalidKeys}>{node.invalidKeys}</td>
              <td data-label={w.timeouts}>{node.timeouts}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The admin screen's call menu: the editor of the live version, then how callers went through it. */
export function IvrMenuEditor() {
  const { t } = useI18n('ivrAdmin', 'errors');
  const trpc = useTRPC();
  const uid = useId();
  const live = useQuery(trpc.ivrMenu.live.queryOptions());

  return (
    <section aria-labelledby={`${uid}-title`} className="ivr-menu">
      <h2 id={`${uid}-title`}>{t.ivrAdmin.title}</h2>
      <p className="muted">{t.ivrAdmin.intro}</p>
      {live.isPending ? (
        <p className="muted" role="status">
          {t.common.loading}
        </p>
      ) : live.isError ? (
        <p role="alert" className="alert">
          {errorMessage(live.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
        </p>
      ) : (
        <MenuForm menu={live.data} />
      )}
      <MenuFigures />
    </section>
  );
}
