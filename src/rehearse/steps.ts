/** Runs the rehearsal's steps in order, timing and recording each; after a failure the rest are skipped. */
import { Interrupted } from './time.js';
import type { RehearsalEvent, StepResult } from './types.js';

export class Steps {
  readonly results: StepResult[] = [];
  private failed = false;
  interrupted = false;

  constructor(private readonly emit: (e: RehearsalEvent) => void = () => {}) {}

  get ok(): boolean {
    return this.results.every((r) => r.status === 'passed');
  }

  private record(step: StepResult): void {
    this.results.push(step);
    this.emit({ type: 'end', step });
  }

  /**
   * Runs `body` (which returns the step's detail or throws why it failed) unless an earlier step
   * failed; `always` steps (cleanup) run regardless. Interruptions propagate after being recorded.
   */
  async run(id: string, title: string, body: () => Promise<string>, always = false): Promise<boolean> {
    if ((this.failed || this.interrupted) && !always) {
      this.record({ id, title, status: 'skipped', detail: this.interrupted ? 'interrupted' : 'not run: an earlier step failed', ms: 0 });
      return false;
    }
    this.emit({ type: 'start', id, title });
    const t0 = Date.now();
    try {
      const detail = await body();
      this.record({ id, title, status: 'passed', detail, ms: Date.now() - t0 });
      return true;
    } catch (e) {
      const interrupted = e instanceof Interrupted;
      this.record({ id, title, status: 'failed', detail: interrupted ? 'interrupted' : (e as Error).message, ms: Date.now() - t0 });
      this.failed = true;
      if (interrupted) {
        this.interrupted = true;
        throw e;
      }
      return false;
    }
  }
}
