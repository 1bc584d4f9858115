// Group commit for the durable routing statements (accepting an offer, ending a consult). Calls that
// arrive while the previous batch of the same statement is still running wait and then go together,
// as one statement: one round trip, one commit and one flush of PostgreSQL's log for all of them. A
// call that finds no batch running goes at once, so a quiet process waits for nothing; under load
// the batches grow by themselves. Each call still gets its own answer.
//
// The price is that calls of one process queue behind the batch in front of them: a batch that waits
// for a row lock holds up the calls that came after it (not those of other processes).

export type BatchRunner<Item, Result> = (items: Item[]) => Promise<Result[]>;

export type BatchOptions<Item> = {
  /** Calls with the same key never share a batch: the later one runs after the earlier committed. */
  key: (item: Item) => string;
  /** Most calls sent as one statement. */
  maxItems?: number;
};

/** How many statements a batched statement has sent, and for how many calls. */
export type BatchStats = { statements: number; calls: number };

export type BatchedStatement<Item, Result> = ((item: Item) => Promise<Result>) & { stats: () => BatchStats };

type Waiting<Item, Result> = { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void };

const DEFAULT_MAX_ITEMS = 64;

/**
 * Returns a function that runs one item through `run`, batched with the items of concurrent calls.
 * `run` must return one result per item, in the items' order. When a batch of several fails, each of
 * its items runs again on its own, so one item's error (or a deadlock) is that item's alone.
 */
export function batchedStatement<Item, Result>(run: BatchRunner<Item, Result>, options: BatchOptions<Item>): BatchedStatement<Item, Result> {
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const queue: Waiting<Item, Result>[] = [];
  const counted: BatchStats = { statements: 0, calls: 0 };
  let running = false;

  async function runAlone(call: Waiting<Item, Result>) {
    counted.statements++;
    try {
      const [result] = await run([call.item]);
      if (result === undefined) throw new Error('the statement returned no result for its item');
      call.resolve(result);
    } catch (error) {
      call.reject(error);
    }
  }

  async function runBatch(calls: Waiting<Item, Result>[]) {
    if (calls.length === 1) return runAlone(calls[0]!);
    counted.statements++;
    let results: Result[];
    try {
      results = await run(calls.map((c) => c.item));
      if (results.length !== calls.length) throw new Error(`the statement returned ${results.length} results for ${calls.length} items`);
    } catch {
      for (const call of calls) await runAlone(call);
      return;
    }
    calls.forEach((call, i) => call.resolve(results[i]!));
  }

  /** The next batch: waiting calls in arrival order, at most one per key, at most maxItems. */
  function takeBatch(): Waiting<Item, Result>[] {
    const keys = new Set<string>();
    const batch: Waiting<Item, Result>[] = [];
    for (let i = 0; i < queue.length && batch.length < maxItems;) {
      const key = options.key(queue[i]!.item);
      if (keys.has(key)) {
        i++;
        continue;
      }
      keys.add(key);
      batch.push(...queue.splice(i, 1));
    }
    return batch;
  }

  async function drain() {
    running = true;
    try {
      while (queue.length > 0) await runBatch(takeBatch());
    } finally {
      running = false;
    }
  }

  const call = (item: Item) =>
    new Promise<Result>((resolve, reject) => {
      counted.calls++;
      queue.push({ item, resolve, reject });
      if (!running) void drain();
    });
  return Object.assign(call, { stats: () => ({ ...counted }) });
}
