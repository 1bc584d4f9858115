import { describe, expect, it } from 'vitest';
import { batchedStatement } from './statement-batch';

type Item = { key: string; value: number };

/** A runner whose batches finish only when the test says so, recording what each batch held. */
function controlledRunner(fail?: (items: Item[]) => boolean) {
  const batches: Item[][] = [];
  const pending: (() => void)[] = [];
  const run = (items: Item[]) =>
    new Promise<number[]>((resolve, reject) => {
      batches.push(items);
      pending.push(() => (fail?.(items) ? reject(new Error(`batch of ${items.map((i) => i.key).join(',')} failed`)) : resolve(items.map((i) => i.value * 10))));
    });
  const finishNext = async () => {
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { run, batches, finishNext };
}

const item = (key: string, value: number): Item => ({ key, value });
/** The call's outcome as a value, so a rejection is observed as soon as it happens. */
const settled = (call: Promise<number>) =>
  call.then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );

describe('batchedStatement', () => {
  it('sends a call at once when nothing is running', async () => {
    const runner = controlledRunner();
    const call = batchedStatement(runner.run, { key: (i) => i.key });
    const result = call(item('a', 1));
    expect(runner.batches).toEqual([[item('a', 1)]]);
    await runner.finishNext();
    await expect(result).resolves.toBe(10);
  });

  it('sends the calls that arrived during a batch together, each with its own result', async () => {
    const runner = controlledRunner();
    const call = batchedStatement(runner.run, { key: (i) => i.key });
    const first = call(item('a', 1));
    const later = [call(item('b', 2)), call(item('c', 3)), call(item('d', 4))];
    expect(runner.batches).toHaveLength(1);
    await runner.finishNext();
    expect(runner.batches[1]).toEqual([item('b', 2), item('c', 3), item('d', 4)]);
    await runner.finishNext();
    await expect(first).resolves.toBe(10);
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
    expect(call.stats()).toEqual({ statements: 2, calls: 4 });
  });

  it('never puts two calls with the same key in one batch', async () => {
    const runner = controlledRunner();
    const call = batchedStatement(runner.run, { key: (i) => i.key });
    const results = [call(item('a', 1)), call(item('a', 2)), call(item('b', 3)), call(item('a', 4))];
    await runner.finishNext();
    expect(runner.batches[1]).toEqual([item('a', 2), item('b', 3)]);
    await runner.finishNext();
    expect(runner.batches[2]).toEqual([item('a', 4)]);
    await runner.finishNext();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40]);
  });

  it('caps a batch at maxItems and keeps the rest for the next one, in arrival order', async () => {
    const runner = controlledRunner();
    const call = batchedStatement(runner.run, { key: (i) => i.key, maxItems: 2 });
    const results = ['a', 'b', 'c', 'd'].map((key, i) => call(item(key, i)));
    await runner.finishNext();
    expect(runner.batches.map((b) => b.map((i) => i.key))).toEqual([['a'], ['b', 'c']]);
    await runner.finishNext();
    expect(runner.batches[2]!.map((i) => i.key)).toEqual(['d']);
    await runner.finishNext();
    await expect(Promise.all(results)).resolves.toEqual([0, 10, 20, 30]);
  });

  it('runs each item of a failed batch on its own, so only the bad item fails', async () => {
    const runner = controlledRunner((items) => items.some((i) => i.key === 'bad'));
    const call = batchedStatement(runner.run, { key: (i) => i.key });
    const first = call(item('a', 1));
    const good = call(item('b', 2));
    const bad = settled(call(item('bad', 3)));
    const alsoGood = call(item('c', 4));
    await runner.finishNext(); // 'a' alone
    await runner.finishNext(); // b, bad, c together: fails
    expect(runner.batches.slice(2)).toEqual([[item('b', 2)]]);
    await runner.finishNext(); // b alone
    await runner.finishNext(); // bad alone: fails
    await runner.finishNext(); // c alone
    await expect(first).resolves.toBe(10);
    await expect(good).resolves.toBe(20);
    await expect(bad).resolves.toEqual({ error: 'batch of bad failed' });
    await expect(alsoGood).resolves.toBe(40);
  });

  it('rejects the call of a single-item batch with its own error, and keeps serving later calls', async () => {
    const runner = controlledRunner((items) => items[0]!.key === 'bad');
    const call = batchedStatement(runner.run, { key: (i) => i.key });
    const bad = settled(call(item('bad', 1)));
    const after = call(item('ok', 2));
    await runner.finishNext();
    await expect(bad).resolves.toEqual({ error: 'batch of bad failed' });
    await runner.finishNext();
    await expect(after).resolves.toBe(20);
  });

  it('refuses a runner that answers with the wrong number of results (each item then runs alone)', async () => {
    let calls = 0;
    const call = batchedStatement(
      async (items: Item[]) => {
        calls++;
        return items.length > 1 ? [1] : items.map((i) => i.value);
      },
      { key: (i) => i.key },
    );
    const results = [call(item('a', 1)), call(item('b', 2)), call(item('c', 3))];
    await expect(Promise.all(results)).resolves.toEqual([1, 2, 3]);
    expect(calls).toBe(4); // a alone, then b+c refused, then b and c alone
    expect(call.stats()).toEqual({ statements: 4, calls: 3 });
  });
});
