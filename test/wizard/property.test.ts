/**
 * The wizard's flow never loops: random answers (valid, invalid, Esc, Ctrl-C, any menu item) over
 * the injected prompts, then Enter on every question, always end at the review (and a design that
 * generates) or at a clean exit. Enter-through from any state reaches the review: no question ever
 * offers a default its own check refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import type { Answers } from '../../src/answers/types.js';
import { precheckGiven, runWizard, WizardBack, WizardCancelled, WizardQuit, type Prompts } from '../../src/wizard/index.js';
import { context } from '../helpers/wizard.js';

const TEXTS = [
  '',
  '?',
  'abc',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '9',
  '12',
  '40',
  '200',
  '300',
  '10001',
  '10.0.0.0/24',
  '192.168.7.0/24',
  '10.0.0.0/28',
  '10.0.0.5/24',
  '10.1.0.0/16',
  '10.0.0.253',
  '10.0.0.1',
  '10.0.0.2',
  '192.168.7.1',
  '192.168.7.250',
  '10.0.0.53, 10.0.0.54',
  'edge',
  'Bad Name',
  'a-b',
  'en* eth*',
  'eth0',
  'https://discovery.example/x',
  './out',
  'out/deeper',
  '~/.ssh/id_ed25519.pub',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdWq0m3gSx1yL2p7cVnH4eR6tKj9ZaQ8uF5oP1wYhXs dev@laptop',
  'Thu 04:00',
  '25:00',
  '1h',
  '0m',
  'custom-group',
];

type Move = { kind: 'esc' } | { kind: 'ctrl-c' } | { kind: 'enter' } | { kind: 'pick'; n: number };
const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'esc' } as Move) },
  { weight: 1, arbitrary: fc.constant({ kind: 'ctrl-c' } as Move) },
  { weight: 4, arbitrary: fc.constant({ kind: 'enter' } as Move) },
  { weight: 12, arbitrary: fc.nat(1000).map((n) => ({ kind: 'pick', n }) as Move) },
);
const GIVEN: Answers[] = [
  {},
  {},
  {},
  { preset: 'dev' },
  { size: '12' },
  { preset: 'production', size: '7' },
  { network: { cidr: '10.0.0.0/28' } },
  { name: 'given' },
  { updates: { rebootStrategy: 'etcd-lock' } },
];

class Loop extends Error {}

/** Prompts that play the moves, then press Enter (the default) on everything. */
function randomPrompts(moves: Move[], onReview: () => void, said: string[]): Prompts & { enterThrough: () => number } {
  let at = 0;
  let afterMoves = 0;
  const next = (): Move | undefined => {
    if (at < moves.length) return moves[at++];
    if (++afterMoves > 150) throw new Loop('Enter on every question did not reach the review within 150 questions');
    return undefined;
  };
  const control = (m: Move | undefined) => {
    if (m?.kind === 'esc') throw new WizardBack();
    if (m?.kind === 'ctrl-c') throw new WizardCancelled();
  };
  return {
    enterThrough: () => afterMoves,
    async input(q) {
      for (;;) {
        const m = next();
        control(m);
        const text = m?.kind === 'pick' ? TEXTS[m.n % TEXTS.length]! : (q.default ?? '');
        const verdict = q.validate ? q.validate(text) : true;
        if (verdict === true) return text;
        said.push(verdict);
        if (m === undefined) throw new Loop(`"${q.message}" refuses its own default ${JSON.stringify(text)}: ${verdict}`);
      }
    },
    async select(q) {
      if (q.message === 'Write these files?') onReview();
      const m = next();
      control(m);
      if (m?.kind === 'pick') return q.choices[m.n % q.choices.length]!.value;
      // Enter on the review writes.
      return (q.default ?? q.choices[0]!.value) as never;
    },
    async checkbox(q) {
      next();
      return q.choices.filter((c) => c.checked).map((c) => c.value);
    },
    async confirm(q) {
      const m = next();
      control(m);
      if (m?.kind === 'pick') return m.n % 2 === 0;
      // Enter-through goes on: no to quitting, yes to going on without a key.
      return m === undefined ? q.message !== 'Quit without writing?' : (q.default ?? false);
    },
  };
}

describe('the wizard flow with random answers', () => {
  it('always reaches the review or a clean exit; Enter from any state reaches the review', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(move, { maxLength: 60 }), fc.constantFrom(...GIVEN), async (moves, given) => {
        if (precheckGiven(given).length) return; // exits 2 before the first question
        let reviews = 0;
        const said: string[] = [];
        const prompts = randomPrompts(moves, () => reviews++, said);
        const { ctx, printed } = context([], structuredClone(given));
        const run = await runWizard({ ...ctx, prompts }, false).then(
          (r) => ({ ok: r }),
          (e: unknown) => ({ error: e }),
        );
        // Words for people: without flags, no message names a flag.
        if (Object.keys(given).length === 0) expect([...said, printed()].filter((t) => /(^|\s)--[a-z]/.test(t))).toEqual([]);
        if ('error' in run) {
          if (run.error instanceof WizardQuit || run.error instanceof WizardCancelled) return;
          throw run.error;
        }
        expect(reviews).toBeGreaterThan(0);
        // What the review let through makes a cluster.
        expect(generate(run.ok.answers).machines.length).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  }, 300_000);
});
