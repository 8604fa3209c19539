import { Worker } from 'node:worker_threads';
import * as pkcs11js from 'pkcs11js';

/**
 * The PKCS#11 functions a worker thread may call: the ones pkcs11js offers only synchronously
 * (C_*Init, lookups, object management) and the single-part operations that follow an
 * initialization, so that one message runs a whole operation.
 */
export type WorkerCall =
  | 'C_EncryptInit'
  | 'C_Encrypt'
  | 'C_DecryptInit'
  | 'C_Decrypt'
  | 'C_SignInit'
  | 'C_Sign'
  | 'C_VerifyInit'
  | 'C_Verify'
  | 'C_GetAttributeValue'
  | 'C_CreateObject'
  | 'C_DestroyObject';

const WORKER_CALLS: readonly WorkerCall[] = [
  'C_EncryptInit',
  'C_Encrypt',
  'C_DecryptInit',
  'C_Decrypt',
  'C_SignInit',
  'C_Sign',
  'C_VerifyInit',
  'C_Verify',
  'C_GetAttributeValue',
  'C_CreateObject',
  'C_DestroyObject',
];

/** One call of a sequence: the function and its arguments ({@link outputBuffer} for outputs). */
export type TokenCall = readonly [WorkerCall, ...unknown[]];

/**
 * An output buffer of `bytes` bytes, allocated by the worker. Its contents come back by
 * transfer, not by copy, and the worker zeroes it when the sequence fails, so a secret the token
 * writes there (a decrypted share) leaves no copy on the worker thread.
 */
export function outputBuffer(bytes: number): { readonly stsOutputBytes: number } {
  return { stsOutputBytes: bytes };
}

/**
 * The worker's program. It loads its own pkcs11js binding of the same module file: the dynamic
 * loader hands it the module already initialized by the main thread, and session and object
 * handles are the module's, valid on every thread. It never initializes or finalizes the module.
 * Bytes arrive as Uint8Array after the message copy and are turned back into Buffers, which
 * pkcs11js requires. A sequence stops at its first failure.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pkcs11js = require(workerData.binding);
const pkcs11 = new pkcs11js.PKCS11();
pkcs11.load(workerData.modulePath);
const allowed = new Set(workerData.calls);
const prepare = (v, outputs) => {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map((x) => prepare(x, outputs));
  if (v !== null && typeof v === 'object') {
    if (typeof v.stsOutputBytes === 'number') {
      const out = Buffer.alloc(v.stsOutputBytes);
      outputs.push(out);
      return out;
    }
    const o = {};
    for (const k of Object.keys(v)) o[k] = prepare(v[k], outputs);
    return o;
  }
  return v;
};
parentPort.on('message', ({ id, calls }) => {
  const outputs = [];
  const results = [];
  try {
    for (const [call, ...args] of calls) {
      if (!allowed.has(call)) throw new Error(call + ' is not run on a worker');
      results.push(pkcs11[call](...prepare(args, outputs)));
    }
  } catch (error) {
    for (const out of outputs) out.fill(0);
    const code = typeof error?.code === 'number' && error.code !== 0 ? error.code : undefined;
    const method = typeof error?.method === 'string' ? error.method : '';
    parentPort.postMessage({ id, error: { message: String(error?.message), code, method } });
    return;
  }
  parentPort.postMessage({ id, results }, outputs.map((out) => out.buffer));
});
`;

interface Pending {
  readonly resolve: (results: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

interface CallWorker {
  readonly thread: Worker;
  readonly pending: Map<number, Pending>;
  /** When the message at the head of this thread's queue began (performance.now()). */
  headSince: number;
}

/**
 * The longest a call should wait behind other messages on one thread: when the expected wait
 * (messages queued times their recent duration) is longer, a new thread is started (up to the
 * bound). A thread whose current message has run this long is passed over while another is not.
 */
export const SLOW_MESSAGE_MS = 2;

/** Weight of the newest message in the running average of message durations. */
const AVERAGE_WEIGHT = 0.2;

/**
 * Threads that make synchronous PKCS#11 calls for the event loop (`run` and `sequence` answer
 * promises). A call goes to an idle thread, else to the least busy one; a new thread is started
 * (up to `max`, the connection's in-flight bound) only when the call would wait longer than
 * {@link SLOW_MESSAGE_MS} there. So a token answering in microseconds is served by one thread
 * or two (each costs about 13 MB), a network HSM by as many as its calls in flight, and a call
 * the token never answers keeps only its own thread busy. Failures come back as `Pkcs11Error`s
 * with the module's return value, as from a direct call.
 */
export class CallWorkers {
  readonly #workers: CallWorker[] = [];
  /** Running average of how long a message takes on its thread (ms). */
  #averageMs = 0;
  #nextId = 0;
  #closed = false;

  constructor(
    private readonly modulePath: string,
    private readonly max: number,
  ) {}

  /** One call on a worker thread; its result as pkcs11js returns it. */
  async run<R>(call: WorkerCall, ...args: unknown[]): Promise<R> {
    const [result] = await this.sequence([[call, ...args]]);
    return result as R;
  }

  /** Several calls in order on one worker thread, in one message each way; their results. */
  sequence(calls: readonly TokenCall[]): Promise<unknown[]> {
    if (this.#closed) {
      return Promise.reject(
        new pkcs11js.Pkcs11Error(
          'the token connection is closed',
          pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
          calls[0]?.[0] ?? '',
        ),
      );
    }
    const worker = this.#pick();
    const id = this.#nextId++;
    return new Promise<unknown[]>((resolve, reject) => {
      if (worker.pending.size === 0) worker.headSince = performance.now();
      worker.pending.set(id, { resolve, reject });
      worker.thread.postMessage({ id, calls });
    });
  }

  /** Stops every thread; calls still waiting fail as from a finalized module. */
  close(): void {
    this.#closed = true;
    for (const worker of this.#workers.splice(0)) {
      this.#failAll(worker, 'the token connection is closed');
      void worker.thread.terminate();
    }
  }

  /**
   * An idle thread; else the least busy thread whose current message is recent, unless the call
   * would wait too long there; else (every thread waits on a slow or hung call) a new thread, or
   * at the bound the least busy one.
   */
  #pick(): CallWorker {
    let recent: CallWorker | undefined;
    let slow: CallWorker | undefined;
    const now = performance.now();
    for (const worker of this.#workers) {
      if (worker.pending.size === 0) return worker;
      if (now - worker.headSince < SLOW_MESSAGE_MS) {
        if (recent === undefined || worker.pending.size < recent.pending.size) recent = worker;
      } else if (slow === undefined || worker.pending.size < slow.pending.size) {
        slow = worker;
      }
    }
    const room = this.#workers.length < this.max;
    if (
      recent !== undefined &&
      (!room || recent.pending.size * this.#averageMs < SLOW_MESSAGE_MS)
    ) {
      return recent;
    }
    if (room || slow === undefined) return this.#start();
    return slow;
  }

  #start(): CallWorker {
    const thread = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        binding: require.resolve('pkcs11js'),
        modulePath: this.modulePath,
        calls: WORKER_CALLS,
      },
    });
    thread.unref();
    const worker: CallWorker = { thread, pending: new Map(), headSince: performance.now() };
    thread.on('message', (message: WorkerAnswer) => {
      const waiting = worker.pending.get(message.id);
      if (waiting === undefined) return;
      worker.pending.delete(message.id);
      const now = performance.now();
      this.#averageMs += AVERAGE_WEIGHT * (now - worker.headSince - this.#averageMs);
      worker.headSince = now;
      if (message.error === undefined) waiting.resolve(asBuffers(message.results) as unknown[]);
      else waiting.reject(workerError(message.error));
    });
    const lost = (reason: string): void => {
      const index = this.#workers.indexOf(worker);
      if (index >= 0) this.#workers.splice(index, 1);
      this.#failAll(worker, reason);
    };
    thread.on('error', (error) => lost(`worker failed: ${error.message}`));
    thread.on('exit', () => lost('worker exited'));
    this.#workers.push(worker);
    return worker;
  }

  #failAll(worker: CallWorker, reason: string): void {
    for (const waiting of worker.pending.values()) {
      waiting.reject(new pkcs11js.Pkcs11Error(reason, pkcs11js.CKR_GENERAL_ERROR, 'worker'));
    }
    worker.pending.clear();
  }
}

interface WorkerAnswer {
  readonly id: number;
  readonly results?: unknown[];
  readonly error?: { message: string; code?: number; method: string };
}

/**
 * A worker's failure as the direct call would have thrown it: a `Pkcs11Error` when the module
 * returned a CKR value (also one only named in the message, as pkcs11js's template-converting
 * calls report it), else a plain error.
 */
function workerError(error: NonNullable<WorkerAnswer['error']>): Error {
  if (error.code !== undefined || /CKR_\w+:\d+/.test(error.message)) {
    return new pkcs11js.Pkcs11Error(error.message, error.code ?? 0, error.method);
  }
  return new Error(error.message);
}

/** Messages turn Buffers into Uint8Arrays (copied or transferred); callers expect Buffers. */
function asBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(asBuffers);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = asBuffers(inner);
    return out;
  }
  return value;
}
