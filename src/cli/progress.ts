/**
 * A progress line on standard error for long writes: nothing for the first half second (most runs
 * end before), then "machines rendered 120/300" rewritten in place at most ten times a second, and
 * cleared when done. Only on a terminal and never with --json (the callers decide `enabled`).
 */
import type { ProgressEvent } from '../generate.js';

export const PROGRESS_DELAY_MS = 500;

export interface Progress {
  /** The callback for generateCluster (undefined when disabled). */
  report?: (event: ProgressEvent) => void;
  /** Clears the line if one was shown. */
  done(): void;
}

const LABEL: Record<ProgressEvent['stage'], string> = { certificates: 'certificates issued', machines: 'machines rendered' };

export function progressLine(write: (text: string) => void, enabled: boolean, now: () => number = Date.now): Progress {
  if (!enabled) return { done: () => undefined };
  const start = now();
  let shown = false;
  let last = -Infinity;
  return {
    report(e) {
      const t = now();
      if (t - start < PROGRESS_DELAY_MS || t - last < 100) return;
      last = t;
      shown = true;
      write(`\r\u001b[K${LABEL[e.stage]} ${e.done}/${e.total}`);
    },
    done() {
      if (shown) write('\r\u001b[K');
      shown = false;
    },
  };
}
