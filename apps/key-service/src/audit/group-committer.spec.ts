import { GroupCommitter } from './group-committer';

/** A commit function whose batches the test settles by hand. */
function manualCommits<T>(): {
  batches: T[][];
  commit: (items: readonly T[]) => Promise<void>;
  settle: (index: number, error?: Error) => void;
} {
  const batches: T[][] = [];
  const settlers: ((error?: Error) => void)[] = [];
  return {
    batches,
    commit: (items) =>
      new Promise<void>((resolve, reject) => {
        batches.push([...items]);
        settlers.push((error) => (error ? reject(error) : resolve()));
      }),
    settle: (index, error) => settlers[index](error),
  };
}

/** Lets queued promise callbacks run (no timers involved). */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

type Outcome = 'pending' | 'resolved' | Error;

function track(p: Promise<void>): { readonly state: Outcome } {
  const t: { state: Outcome } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (error: Error) => (t.state = error),
  );
  return t;
}

describe('GroupCommitter', () => {
  it('commits the submissions of one tick together, then everything that queued meanwhile', async () => {
    const c = manualCommits<number>();
    const committer = new GroupCommitter(c.commit, 500);
    const first = [1, 2, 3].map((n) => track(committer.submit([n])));
    await flush();
    expect(c.batches).toEqual([[1, 2, 3]]);

    const second = [4, 5].map((n) => track(committer.submit([n])));
    const third = track(committer.submit([6, 7]));
    await flush();
    expect(c.batches).toHaveLength(1); // the next batch waits for the current commit
    expect(committer.pending).toBe(4);
    expect(first.map((t) => t.state)).toEqual(['pending', 'pending', 'pending']);

    c.settle(0);
    await flush();
    expect(first.map((t) => t.state)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(c.batches).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(second.map((t) => t.state)).toEqual(['pending', 'pending']);
    c.settle(1);
    await flush();
    expect([...second, third].map((t) => t.state)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(committer.pending).toBe(0);
  });

  it('bounds a batch at maxBatch items and keeps submission order across batches', async () => {
    const c = manualCommits<number>();
    const committer = new GroupCommitter(c.commit, 500);
    const all = Array.from({ length: 1200 }, (_, i) => committer.submit([i]));
    await flush();
    c.settle(0);
    await flush();
    c.settle(1);
    await flush();
    c.settle(2);
    await Promise.all(all);
    expect(c.batches.map((b) => b.length)).toEqual([500, 500, 200]);
    expect(c.batches.flat()).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  it('never splits one submission: a large one is a batch alone, the next waits for its own', async () => {
    const c = manualCommits<string>();
    const committer = new GroupCommitter(c.commit, 3);
    const big = ['a1', 'a2', 'a3', 'a4', 'a5'];
    const done = [
      committer.submit(['x']),
      committer.submit(big),
      committer.submit(['y', 'z']),
      committer.submit(['w']),
    ];
    for (let i = 0; i < 3; i++) {
      await flush();
      c.settle(i);
    }
    await Promise.all(done);
    expect(c.batches).toEqual([['x'], big, ['y', 'z', 'w']]);
  });

  it('rejects every caller of a failed batch with its error, and only those; then goes on', async () => {
    const c = manualCommits<number>();
    const committer = new GroupCommitter(c.commit, 2);
    const a = track(committer.submit([1]));
    const b = track(committer.submit([2]));
    const d = track(committer.submit([3]));
    const e = track(committer.submit([4]));
    const f = track(committer.submit([5]));
    await flush();
    c.settle(0);
    await flush();
    const failure = new Error('commit failed');
    c.settle(1, failure);
    await flush();
    c.settle(2);
    await flush();
    expect(c.batches).toEqual([[1, 2], [3, 4], [5]]);
    expect([a.state, b.state]).toEqual(['resolved', 'resolved']);
    expect(d.state).toBe(failure);
    expect(e.state).toBe(failure);
    expect(f.state).toBe('resolved');

    const later = track(committer.submit([6]));
    await flush();
    c.settle(3);
    await flush();
    expect(c.batches[3]).toEqual([6]);
    expect(later.state).toBe('resolved');
  });

  it('treats a commit function that throws synchronously as a failed batch', async () => {
    let calls = 0;
    const committer = new GroupCommitter<number>((items) => {
      calls += 1;
      if (items.includes(13)) throw new TypeError('thrown before any promise');
      return Promise.resolve();
    }, 10);
    const results = await Promise.allSettled([committer.submit([13]), committer.submit([14])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    await expect(committer.submit([15])).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('resolves an empty submission without a commit', async () => {
    const commit = jest.fn(() => Promise.resolve());
    const committer = new GroupCommitter<number>(commit);
    await committer.submit([]);
    expect(commit).not.toHaveBeenCalled();
  });

  it('drain waits for the batch in flight and everything queued behind it', async () => {
    const c = manualCommits<number>();
    const committer = new GroupCommitter(c.commit, 1);
    const outcomes = [1, 2, 3].map((n) => track(committer.submit([n])));
    let drained = false;
    const draining = committer.drain().then(() => (drained = true));
    for (let i = 0; i < 3; i++) {
      await flush();
      expect(drained).toBe(false);
      c.settle(i, i === 1 ? new Error('second fails') : undefined);
    }
    await draining;
    expect(outcomes.map((t) => (t.state instanceof Error ? t.state.message : t.state))).toEqual([
      'resolved',
      'second fails',
      'resolved',
    ]);
    await expect(committer.drain()).resolves.toBeUndefined();
  });

  it('refuses a batch bound that is not a positive integer', () => {
    const commit = (): Promise<void> => Promise.resolve();
    expect(() => new GroupCommitter(commit, 0)).toThrow(RangeError);
    expect(() => new GroupCommitter(commit, 1.5)).toThrow(RangeError);
  });
});
