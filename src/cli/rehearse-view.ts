/**
 * How `rehearse` shows progress: on a terminal a spinner on the running step, then a ✔/✘ line per
 * step; otherwise plain lines. Colour as src/io/color.ts decides for the stream.
 * Ends with a pass/fail table.
 */
import { colors, useColor, type Colors } from '../io/color.js';
import { LAYOUT_TEXT, type RehearsalEvent, type RehearsalResult, type StepResult } from '../rehearse/index.js';

export interface ViewStream {
  write: (text: string) => void;
  isTTY: boolean;
  /** Unused (kept for callers that still pass it); src/io/color.ts decides. */
  colorLevel?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Which members joined the running cluster, for the verdict ('' when none did). */
const joined = (result: RehearsalResult): string =>
  result.joined.length ? ` (${result.members.length} members: ${result.joined.join(', ')} joined it with etcdctl member add)` : '';

export function colorsFor(stream: ViewStream, env: NodeJS.ProcessEnv, flag?: boolean): Colors {
  return colors(useColor(stream, env, flag));
}

export class ProgressView {
  private timer: NodeJS.Timeout | null = null;
  private current: { title: string; t0: number } | null = null;
  private frame = 0;

  constructor(
    private readonly out: ViewStream,
    private readonly c: Colors,
  ) {}

  private mark(status: StepResult['status']): string {
    if (status === 'passed') return this.c.green(this.out.isTTY ? '✔' : 'ok  ');
    if (status === 'failed') return this.c.red(this.out.isTTY ? '✘' : 'FAIL');
    return this.c.yellow(this.out.isTTY ? '-' : 'skip');
  }

  private clearSpinner(): void {
    if (this.out.isTTY && this.current) this.out.write('\r\x1b[2K');
  }

  private drawSpinner(): void {
    if (!this.out.isTTY || !this.current) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const elapsed = this.c.dim(seconds(Date.now() - this.current.t0));
    this.out.write(`\r\x1b[2K${this.c.cyan(FRAMES[this.frame] ?? '-')} ${this.current.title} ${elapsed}`);
  }

  line(text: string): void {
    this.clearSpinner();
    this.out.write(text + '\n');
    this.drawSpinner();
  }

  readonly onEvent = (e: RehearsalEvent): void => {
    if (e.type === 'note') {
      this.line(this.c.dim(`note: ${e.text}`));
      return;
    }
    if (e.type === 'start') {
      this.current = { title: e.title, t0: Date.now() };
      if (this.out.isTTY) {
        this.drawSpinner();
        this.timer = setInterval(() => this.drawSpinner(), 100);
        this.timer.unref();
      } else {
        this.out.write(`...  ${e.title}\n`);
      }
      return;
    }
    this.stop();
    const s = e.step;
    const time = s.status === 'skipped' ? '' : ` ${this.c.dim(`(${seconds(s.ms)})`)}`;
    this.out.write(`${this.mark(s.status)} ${s.title}${time}\n`);
    for (const line of s.detail ? s.detail.split('\n') : []) this.out.write(`     ${s.status === 'failed' ? this.c.red(line) : this.c.dim(line)}\n`);
  };

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clearSpinner();
    this.current = null;
  }

  /** The pass/fail table and the verdict. */
  summary(result: RehearsalResult): void {
    const rows = result.steps.map((s) => [s.title, s.status === 'passed' ? 'pass' : s.status === 'failed' ? 'FAIL' : 'skipped', s.status === 'skipped' ? '' : seconds(s.ms)]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['step', 'result', 'time'][i]!.length));
    const pad = (cells: string[]) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    this.out.write('\n' + this.c.bold(pad(['step', 'result', 'time'])) + '\n');
    for (const r of rows) {
      const color = r[1] === 'pass' ? this.c.green : r[1] === 'FAIL' ? this.c.red : this.c.yellow;
      this.out.write(pad([r[0]!, color(r[1]!.padEnd(widths[1]!)), r[2]!]) + '\n');
    }
    const layout = result.fallback
      ? `${LAYOUT_TEXT[result.layout]} (${result.fallback === 'asked for' ? 'asked for with --layout loopback' : `no network namespaces: ${result.fallback}`})`
      : LAYOUT_TEXT[result.layout];
    this.out.write(`\nlayout: ${layout}\n`);
    this.out.write(`etcd: local ${result.etcdVersion}; the configs deploy ${result.deployedEtcdVersion ?? 'no version they name'}\n`);
    if (result.versionWarning) this.out.write(this.c.yellow(`warning: ${result.versionWarning}`) + '\n');
    const passed = result.steps.filter((s) => s.status === 'passed').length;
    const verdict = result.interrupted
      ? this.c.yellow('interrupted: everything it started is stopped and removed')
      : result.ok
        ? this.c.green(
            `rehearsal passed: ${passed}/${result.steps.length} steps; the cluster tolerates ${result.faultTolerance} failed member${result.faultTolerance === 1 ? '' : 's'}${joined(result)}`,
          )
        : this.c.red(`rehearsal failed: ${passed}/${result.steps.length} steps passed`);
    this.out.write('\n' + verdict + '\n');
  }
}
