// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, renderScreen, type Answers, type Reply } from '@/components/testing/render-screen';
import type { MenuProblem } from '@/server/ivr/validate-menu';
import { dictionaries } from '@/server/shared/i18n/dictionaries';
import { format } from '@/server/shared/i18n/format';
import type { MenuTree } from '@/server/shared/schemas/ivr';
import { IvrMenuEditor } from './ivr-menu-editor';

const { en } = dictionaries;
const zh = dictionaries['zh-CN'];
const w = en.ivrAdmin;

const tree: MenuTree = {
  rootId: 'main',
  nodes: [
    {
      id: 'main',
      title: { en: 'Follow-up visit', zh: '复诊' },
      prompt: { en: 'Welcome.', zh: '您好。' },
      recordings: { zh: 'rec-main-zh' },
      options: [
        { digit: '1', label: { en: 'A follow-up with your doctor', zh: '看医生复诊' }, action: { kind: 'submenu', nodeId: 'see-doctor' } },
        { digit: '2', label: { en: 'Changing your appointment', zh: '更改预约' }, action: { kind: 'reschedule' } },
        { digit: '0', label: { en: 'Our staff', zh: '转人工服务' }, action: { kind: 'operator' } },
      ],
      defaultDigit: '0',
    },
    {
      id: 'see-doctor',
      title: { en: 'See the doctor', zh: '看医生复诊' },
      prompt: { en: 'How have you been?', zh: '您最近情况如何？' },
      recordings: {},
      options: [
        {
          digit: '1',
          label: { en: 'Stable', zh: '病情稳定' },
          action: { kind: 'queue', queueSlug: 'follow-up', reason: { en: 'Routine follow-up', zh: '常规复诊' }, priority: 0 },
        },
        { digit: '9', label: { en: 'The main menu', zh: '返回主菜单' }, action: { kind: 'back' } },
      ],
      defaultDigit: '9',
    },
  ],
};

const live = (version = 3) => ({
  version,
  tree,
  savedAt: '2026-12-01T02:30:00.000Z',
  timeZone: 'Asia/Shanghai',
  queues: [
    { slug: 'follow-up', name: 'Follow-up' },
    { slug: 'specialist', name: 'Specialist consults' },
  ],
});

const zeroFigures = (node: MenuTree['nodes'][number]) => ({
  nodeId: node.id,
  title: node.title,
  entries: 0,
  choices: node.options.map((o) => ({ digit: o.digit, count: 0 })),
  timeSpentMs: { total: 0, average: null },
  hangUps: 0,
  invalidKeys: 0,
  timeouts: 0,
});
const noCalls = { version: 3, events: 0, nodes: tree.nodes.map(zeroFigures) };

// The test table's refusals carry a reason only; the menu's problems ride in error.data as the server's formatter sends them.
let problemsToSend: MenuProblem[] | null = null;
beforeEach(() => {
  const from = TRPCClientError.from.bind(TRPCClientError);
  vi.spyOn(TRPCClientError, 'from').mockImplementation(((cause: unknown, opts?: object) => {
    const data = (cause as { error?: { data?: Record<string, unknown> } } | null)?.error?.data;
    if (data && problemsToSend) data.problems = problemsToSend;
    return from(cause as never, opts);
  }) as typeof TRPCClientError.from);
});
afterEach(() => {
  problemsToSend = null;
  vi.restoreAllMocks();
});
const refusedWith = (problems: MenuProblem[]): Reply => {
  problemsToSend = problems;
  return { refused: 'BAD_REQUEST', reason: 'invalidMenu' };
};

function open(answers: Answers = {}, locale: 'en' | 'zh-CN' = 'en') {
  return renderScreen(<IvrMenuEditor />, {
    locale,
    answers: { 'ivrMenu.live': () => ({ data: live() }), 'ivrMenu.figures': () => ({ data: noCalls }), ...answers },
  });
}

const menuGroup = (n: number, title: string) => screen.getByRole('group', { name: format(w.menuLegend, { n, title }) });
const optionGroup = (menu: HTMLElement, n: number) => within(menu).getByRole('group', { name: format(w.optionLegend, { n }) });
/** The message a control is described by. */
const description = (control: HTMLElement) =>
  (control.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
const sentTree = (view: ReturnType<typeof open>) => (view.calls.filter((c) => c.path === 'ivrMenu.save').at(-1)!.input as { tree: MenuTree }).tree;

describe('IvrMenuEditor', () => {
  it('says it is loading, then shows each menu with both languages and which version callers hear', async () => {
    const pending = deferred();
    open({ 'ivrMenu.live': () => pending.promise });
    expect(screen.getByRole('heading', { name: w.title, level: 2 })).toBeTruthy();
    expect(screen.getAllByRole('status')[0]!.textContent).toBe(en.common.loading);
    pending.settle({ data: live() });

    const main = await waitFor(() => menuGroup(1, 'Follow-up visit'));
    expect(screen.getByText(/Callers now hear version 3, saved .*10:30/)).toBeTruthy();
    expect((within(main).getByRole('textbox', { name: w.titleEn }) as HTMLInputElement).value).toBe('Follow-up visit');
    expect((within(main).getByRole('textbox', { name: w.titleZh }) as HTMLInputElement).value).toBe('复诊');
    expect((within(main).getByRole('textbox', { name: w.promptZh }) as HTMLTextAreaElement).value).toBe('您好。');
    const first = optionGroup(main, 1);
    expect((within(first).getByRole('combobox', { name: w.digit }) as HTMLSelectElement).value).toBe('1');
    expect((within(first).getByRole('combobox', { name: w.action }) as HTMLSelectElement).value).toBe('submenu');
    expect(within(first).getByRole('combobox', { name: w.target }).querySelector('option:checked')!.textContent).toBe('See the doctor');
    const sub = menuGroup(2, 'See the doctor');
    const queueOption = optionGroup(sub, 1);
    expect(within(queueOption).getByRole('combobox', { name: w.queue }).querySelector('option:checked')!.textContent).toBe('Follow-up');
    expect((within(queueOption).getByRole('textbox', { name: w.reasonZh }) as HTMLInputElement).value).toBe('常规复诊');
    expect((within(queueOption).getByRole('spinbutton', { name: w.priority }) as HTMLInputElement).value).toBe('0');
    expect(within(sub).getByRole('combobox', { name: w.defaultDigit }).querySelector('option:checked')!.textContent).toBe('9 – The main menu');
    // The first menu cannot be removed; the others can.
    expect(within(main).queryByRole('button', { name: format(w.removeMenuLabel, { menu: 'Follow-up visit' }) })).toBeNull();
    expect(within(sub).getByRole('button', { name: format(w.removeMenuLabel, { menu: 'See the doctor' }) })).toBeTruthy();
  });

  it('says why the menu could not be loaded', async () => {
    open({ 'ivrMenu.live': () => ({ refused: 'FORBIDDEN' }) });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en.errors.forbidden));
  });

  it('saves what was edited, as a tree, and says which version new calls hear', async () => {
    const view = open({ 'ivrMenu.save': () => ({ data: { version: 4, tree } }) });
    const main = await waitFor(() => menuGroup(1, 'Follow-up visit'));
    fireEvent.change(within(main).getByRole('textbox', { name: w.titleEn }), { target: { value: 'Your follow-up' } });
    // Option 2 now sends callers to the specialist queue.
    const second = optionGroup(screen.getByRole('group', { name: format(w.menuLegend, { n: 1, title: 'Your follow-up' }) }), 2);
    fireEvent.change(within(second).getByRole('combobox', { name: w.action }), { target: { value: 'queue' } });
    fireEvent.change(within(second).getByRole('combobox', { name: w.queue }), { target: { value: 'specialist' } });
    fireEvent.change(within(second).getByRole('textbox', { name: w.reasonEn }), { target: { value: 'Second opinion' } });
    fireEvent.change(within(second).getByRole('textbox', { name: w.reasonZh }), { target: { value: '第二意见' } });
    fireEvent.change(within(second).getByRole('spinbutton', { name: w.priority }), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: w.save }));

    await waitFor(() => expect(screen.getByText(format(w.saved, { version: 4 }))).toBeTruthy());
    const sent = sentTree(view);
    expect(sent.rootId).toBe('main');
    expect(sent.nodes[0]!.title).toEqual({ en: 'Your follow-up', zh: '复诊' });
    // What the editor does not edit (recordings) goes back as it came.
    expect(sent.nodes[0]!.recordings).toEqual({ zh: 'rec-main-zh' });
    expect(sent.nodes[0]!.options[0]!.action).toEqual({ kind: 'submenu', nodeId: 'see-doctor' });
    expect(sent.nodes[0]!.options[1]).toEqual({
      digit: '2',
      label: { en: 'Changing your appointment', zh: '更改预约' },
      action: { kind: 'queue', queueSlug: 'specialist', reason: { en: 'Second opinion', zh: '第二意见' }, priority: 3 },
    });
    expect(sent.nodes[1]).toEqual(tree.nodes[1]);
    // The live menu and its figures are read again.
    await waitFor(() => expect(view.calls.filter((c) => c.path === 'ivrMenu.live')).toHaveLength(2));
    expect(view.calls.filter((c) => c.path === 'ivrMenu.figures')).toHaveLength(2);
  });

  it('adds a menu, links it from an option, and removes options and menus from the keyboard', async () => {
    // The server keeps what it was sent; the editor goes on from the saved menu.
    const view = open({ 'ivrMenu.save': (input) => ({ data: { version: 4, tree: (input as { tree: MenuTree }).tree } }) });
    await waitFor(() => menuGroup(1, 'Follow-up visit'));
    fireEvent.click(screen.getByRole('button', { name: w.addMenu }));
    const added = menuGroup(3, 'menu-3');
    // The new menu's first field has the focus.
    expect(document.activeElement).toBe(within(added).getByRole('textbox', { name: w.titleEn }));
    fireEvent.change(document.activeElement!, { target: { value: 'Opening hours' } });
    expect((within(menuGroup(3, 'Opening hours')).getByRole('textbox', { name: w.nodeId }) as HTMLInputElement).value).toBe('menu-3');

    const main = menuGroup(1, 'Follow-up visit');
    fireEvent.click(within(main).getByRole('button', { name: format(w.addOptionLabel, { menu: 'Follow-up visit' }) }));
    const fourth = optionGroup(main, 4);
    // The first key no option uses, focused.
    expect(document.activeElement).toBe(within(fourth).getByRole('combobox', { name: w.digit }));
    expect((document.activeElement as HTMLSelectElement).value).toBe('3');
    fireEvent.change(within(fourth).getByRole('combobox', { name: w.action }), { target: { value: 'submenu' } });
    const target = within(fourth).getByRole('combobox', { name: w.target }) as HTMLSelectElement;
    expect(target.value).toBe('');
    fireEvent.change(target, { target: { value: [...target.options].find((o) => o.textContent === 'Opening hours')!.value } });
    // Renaming the linked menu's id keeps the link.
    fireEvent.change(within(menuGroup(3, 'Opening hours')).getByRole('textbox', { name: w.nodeId }), { target: { value: 'hours' } });

    fireEvent.click(within(main).getByRole('button', { name: format(w.removeOptionLabel, { n: 2, menu: 'Follow-up visit' }) }));
    expect(document.activeElement).toBe(within(main).getByRole('button', { name: format(w.addOptionLabel, { menu: 'Follow-up visit' }) }));
    fireEvent.click(screen.getByRole('button', { name: w.save }));
    await waitFor(() => expect(view.calls.some((c) => c.path === 'ivrMenu.save')).toBe(true));
    const sent = sentTree(view);
    expect(sent.nodes.map((n) => n.id)).toEqual(['main', 'see-doctor', 'hours']);
    expect(sent.nodes[0]!.options.map((o) => [o.digit, o.action.kind])).toEqual([
      ['1', 'submenu'],
      ['0', 'operator'],
      ['3', 'submenu'],
    ]);
    expect(sent.nodes[0]!.options[2]!.action).toEqual({ kind: 'submenu', nodeId: 'hours' });

    await waitFor(() => expect(screen.getByText(format(w.saved, { version: 4 }))).toBeTruthy());
    const savedMain = menuGroup(1, 'Follow-up visit');
    fireEvent.click(within(menuGroup(3, 'Opening hours')).getByRole('button', { name: format(w.removeMenuLabel, { menu: 'Opening hours' }) }));
    expect(screen.queryByRole('group', { name: format(w.menuLegend, { n: 3, title: 'Opening hours' }) })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: w.addMenu }));
    // The option that led there now asks for a menu.
    expect((within(optionGroup(savedMain, 3)).getByRole('combobox', { name: w.target }) as HTMLSelectElement).value).toBe('');
  });

  it('stops adding options at the most a menu may have', async () => {
    open();
    const sub = await waitFor(() => menuGroup(2, 'See the doctor'));
    const add = within(sub).getByRole('button', { name: format(w.addOptionLabel, { menu: 'See the doctor' }) }) as HTMLButtonElement;
    for (let i = 0; i < 7; i += 1) fireEvent.click(add);
    expect(within(sub).getAllByRole('group', { name: /^Option \d$/ })).toHaveLength(9);
    expect(add.disabled).toBe(true);
    expect(description(add)).toBe(format(w.maxOptions, { max: 9 }));
  });

  it('marks each field the server refused, next to it, and lists them with links that take the focus there', async () => {
    const problems: MenuProblem[] = [
      { nodeId: 'main', field: 'title.zh', problem: 'invalid', message: 'Node "main", title.zh, must not be empty.' },
      { nodeId: 'main', field: 'options.2.digit', problem: 'duplicateDigit', message: 'x.' },
      { nodeId: 'see-doctor', field: 'options.0.action.queueSlug', problem: 'unknownQueue', message: 'x.' },
      { nodeId: 'see-doctor', field: 'defaultDigit', problem: 'defaultLoops', message: 'x.' },
      { nodeId: 'see-doctor', field: 'options', problem: 'noEnding', message: 'x.' },
      { nodeId: null, field: 'rootId', problem: 'unknownRoot', message: 'x.' },
    ];
    open({ 'ivrMenu.save': () => refusedWith(problems) });
    const main = await waitFor(() => menuGroup(1, 'Follow-up visit'));
    fireEvent.change(within(main).getByRole('textbox', { name: w.titleZh }), { target: { value: ' ' } });
    fireEvent.click(screen.getByRole('button', { name: w.save }));

    const summary = await waitFor(() => screen.getByRole('alert'));
    expect(summary.textContent).toContain(w.notSaved);
    // The summary has the focus, for the keyboard to go through its links.
    expect(document.activeElement).toBe(summary);

    const titleZh = within(main).getByRole('textbox', { name: w.titleZh });
    expect(titleZh.getAttribute('aria-invalid')).toBe('true');
    expect(description(titleZh)).toBe(format(w.problems.invalidText, { max: 60 }));
    expect(within(main).getByRole('textbox', { name: w.titleEn }).getAttribute('aria-invalid')).toBeNull();
    const digit = within(optionGroup(main, 3)).getByRole('combobox', { name: w.digit });
    expect(digit.getAttribute('aria-invalid')).toBe('true');
    expect(description(digit)).toBe(w.problems.duplicateDigit);
    const sub = menuGroup(2, 'See the doctor');
    expect(description(within(optionGroup(sub, 1)).getByRole('combobox', { name: w.queue }))).toBe(w.problems.unknownQueue);
    expect(description(within(sub).getByRole('combobox', { name: w.defaultDigit }))).toBe(w.problems.defaultLoops);
    expect(description(within(sub).getByRole('group', { name: w.options }))).toBe(w.problems.noEnding);
    expect(description(screen.getByRole('combobox', { name: w.rootLabel }))).toBe(w.problems.unknownRoot);

    const links = within(summary).getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual([
      format(w.problemAt, { menu: 'Follow-up visit', field: 'title (Chinese)', message: format(w.problems.invalidText, { max: 60 }) }),
      format(w.problemAt, { menu: 'Follow-up visit', field: 'option 3, key', message: w.problems.duplicateDigit }),
      format(w.problemAt, { menu: 'See the doctor', field: 'option 1, queue', message: w.problems.unknownQueue }),
      format(w.problemAt, { menu: 'See the doctor', field: 'key taken on silence', message: w.problems.defaultLoops }),
      format(w.problemAt, { menu: 'See the doctor', field: 'options', message: w.problems.noEnding }),
      format(w.problemAt, { menu: w.wholeMenu, field: 'first menu', message: w.problems.unknownRoot }),
    ]);
    fireEvent.click(links[1]!);
    expect(document.activeElement).toBe(digit);

    // Removing an option above keeps the problem on the option it was about (now the second).
    fireEvent.click(within(main).getByRole('button', { name: format(w.removeOptionLabel, { n: 1, menu: 'Follow-up visit' }) }));
    expect(description(within(optionGroup(main, 2)).getByRole('combobox', { name: w.digit }))).toBe(w.problems.duplicateDigit);
    expect(within(optionGroup(main, 1)).getByRole('combobox', { name: w.digit }).getAttribute('aria-invalid')).toBeNull();
  });

  it('marks a node named only by its place, and says a refusal without problems in words', async () => {
    const problems: MenuProblem[] = [{ nodeId: null, field: 'nodes.1.id', problem: 'invalid', message: 'x.' }];
    const replies: Reply[] = [refusedWith(problems), { networkError: true }];
    open({ 'ivrMenu.save': () => replies.shift()! });
    const sub = await waitFor(() => menuGroup(2, 'See the doctor'));
    fireEvent.change(within(sub).getByRole('textbox', { name: w.nodeId }), { target: { value: 'See Doctor' } });
    fireEvent.click(screen.getByRole('button', { name: w.save }));
    await waitFor(() => expect(description(within(sub).getByRole('textbox', { name: w.nodeId }))).toBe(w.problems.invalidId));

    problemsToSend = null;
    fireEvent.click(screen.getByRole('button', { name: w.save }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en.common.somethingWrong));
    expect(within(sub).getByRole('textbox', { name: w.nodeId }).getAttribute('aria-invalid')).toBeNull();
  });

  it('shows the figures per menu', async () => {
    const figures = {
      version: 3,
      events: 20,
      nodes: [
        {
          ...zeroFigures(tree.nodes[0]!),
          entries: 12,
          choices: [
            { digit: '1', count: 7 },
            { digit: '2', count: 2 },
            { digit: '0', count: 1 },
          ],
          timeSpentMs: { total: 150_000, average: 12_500 },
          hangUps: 2,
          invalidKeys: 3,
          timeouts: 4,
        },
        zeroFigures(tree.nodes[1]!),
      ],
    };
    open({ 'ivrMenu.figures': () => ({ data: figures }) });
    const table = await waitFor(() => screen.getByRole('table', { name: format(w.figures.caption, { version: 3 }) }));
    const rows = within(table).getAllByRole('row');
    expect(
      within(rows[0]!)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual([w.figures.menu, w.figures.entries, w.figures.choices, w.figures.timeSpent, w.figures.hangUps, w.figures.invalidKeys, w.figures.timeouts]);
    expect(within(rows[1]!).getByRole('rowheader').textContent).toBe('Follow-up visit');
    expect(
      within(rows[1]!)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['12', '1: 7, 2: 2, 0: 1', '13 s / 2 min 30 s', '2', '3', '4']);
    expect(
      within(rows[2]!)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['0', '1: 0, 9: 0', w.figures.none, '0', '0', '0']);
  });

  it('says when no calls have gone through this version yet', async () => {
    open();
    await waitFor(() => expect(screen.getByText(w.figures.empty)).toBeTruthy());
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('says why the figures could not be read', async () => {
    open({ 'ivrMenu.figures': () => ({ refused: 'FORBIDDEN' }) });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en.errors.forbidden));
  });

  it('speaks Chinese to a Chinese reader', async () => {
    open({}, 'zh-CN');
    const main = await waitFor(() => screen.getByRole('group', { name: format(zh.ivrAdmin.menuLegend, { n: 1, title: '复诊' }) }));
    expect(screen.getByRole('heading', { name: zh.ivrAdmin.title })).toBeTruthy();
    expect((within(main).getByRole('textbox', { name: zh.ivrAdmin.titleZh }) as HTMLInputElement).value).toBe('复诊');
    const second = within(main).getByRole('group', { name: format(zh.ivrAdmin.optionLegend, { n: 2 }) });
    const action = within(second).getByRole('combobox', { name: zh.ivrAdmin.action });
    expect(action.querySelector('option:checked')!.textContent).toBe(zh.ivrAdmin.actions.reschedule);
    expect(screen.getByText(zh.ivrAdmin.figures.empty)).toBeTruthy();
  });
});
