/** Bounded waiting: an overall deadline, interruptible sleeps, and polling until something holds. */

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export class DeadlineExceeded extends Error {
  constructor(seconds: number) {
    super(`the overall deadline of ${seconds}s passed`);
    this.name = 'DeadlineExceeded';
  }
}

export class Deadline {
  private readonly at: number;

  constructor(readonly ms: number) {
    this.at = Date.now() + ms;
  }

  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** `ms`, or less when the deadline comes first; throws once it has passed. */
  within(ms: number): number {
    const left = this.remaining();
    if (left <= 0) throw new DeadlineExceeded(this.ms / 1000);
    return Math.min(ms, left);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Interrupted());
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

export interface PollOptions {
  /** Give up after this long (also bounded by the deadline). */
  within: number;
  deadline: Deadline;
  signal?: AbortSignal;
  /** Pause between attempts. */
  every?: number;
}

/**
 * Calls `attempt` until it returns a value (not undefined) or time is up; returns the value or
 * undefined. `attempt` may throw to stop at once (a process died).
 */
export async function poll<T>(attempt: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  const until = Date.now() + options.deadline.within(options.within);
  for (;;) {
    if (options.signal?.aborted) throw new Interrupted();
    const value = await attempt();
    if (value !== undefined) return value;
    const left = until - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(options.every ?? 200, left), options.signal);
  }
}
