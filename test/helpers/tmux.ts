/** Driving a program in a real terminal: tmux on a private socket, send-keys to type, capture-pane to read. */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export class Tmux {
  readonly socket = `fa-test-${randomBytes(4).toString('hex')}`;
  private readonly session = 'main';

  constructor(command: string, opts: { cwd: string; env?: Record<string, string>; width?: number; height?: number }) {
    const env = Object.entries(opts.env ?? {})
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    execFileSync('tmux', [
      '-L',
      this.socket,
      'new-session',
      '-d',
      '-s',
      this.session,
      '-x',
      String(opts.width ?? 140),
      '-y',
      String(opts.height ?? 50),
      '-c',
      opts.cwd,
      `env ${env} ${command}; echo "EXIT=$?"; sleep 600`,
    ]);
  }

  /** The screen and its scrollback; `joined`: lines the terminal wrapped come back as one (capture-pane -J). */
  screen(joined = false): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p', ...(joined ? ['-J'] : []), '-t', this.session, '-S', '-3000'], { encoding: 'utf8' });
  }

  /** Only what is on screen now (no scrollback). */
  visible(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
  }

  /** Waits until the screen matches, or fails with the screen shown. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen();
      if (pattern.test(text)) return text;
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', this.session, ...keys]);
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', this.session, '-l', text]);
  }

  /** Answers a question once it is on screen. */
  async answer(question: RegExp, ...keys: string[]): Promise<void> {
    await this.waitFor(question);
    for (const k of keys) {
      if (k.startsWith('text:')) this.type(k.slice(5));
      else this.keys(k);
    }
    await this.waitFor(new RegExp(`✔ ${question.source}`));
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
