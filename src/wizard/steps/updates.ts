/** Updates: the channel (or a custom group), how machines reboot into updates, and when they may. */
import { checkOf } from '../../answers/definition.js';
import type { RebootStrategy } from '../../answers/types.js';
import { findArchitecture } from '../../architectures/index.js';
import { clearAnswer, currentValue, isGiven, problemWith, seen, setAnswer, suggestion, type WizardContext } from '../context.js';
import { WizardBack } from '../prompts.js';
import { presetOf, textQuestion, type Question } from '../question.js';

const CHANNELS: { name: string; description: string }[] = [
  { name: 'stable', description: 'the recommended channel for production: releases that went through beta' },
  { name: 'beta', description: 'the next stable release, for testing before it reaches stable' },
  { name: 'alpha', description: 'the newest features first, for development and testing' },
  { name: 'lts', description: 'long-term support: fewer changes, about 18 months of fixes' },
];
const CUSTOM = '\u0000custom';

const group: Question = {
  id: 'updates.group',
  section: 'updates',
  applies: (ctx) => !isGiven(ctx, 'updates.group'),
  async ask(ctx) {
    for (;;) {
      const now = String(currentValue(ctx, 'updates.group') ?? 'stable');
      const custom = !CHANNELS.some((c) => c.name === now);
      const chosen = await ctx.prompts.select<string>({
        message: 'Update channel:',
        choices: [
          ...CHANNELS.map((c) => ({ name: c.name, value: c.name, description: c.description })),
          { name: custom ? `custom group: ${now}` : 'custom group…', value: CUSTOM, description: "your own update server's group id (Nebraska, for example)" },
        ],
        default: custom ? CUSTOM : now,
      });
      if (chosen !== CUSTOM) return setAnswer(ctx, 'updates.group', chosen);
      const before = ctx.answers.updates?.group;
      try {
        await customGroup.ask(ctx);
        // A custom group lives on your own update server: its URL, unless given up front.
        if (isGiven(ctx, 'updates.server') || (await server(ctx))) return;
      } catch (e) {
        // Esc at the group id: back to the channels.
        if (!(e instanceof WizardBack)) throw e;
      }
      // Esc or an empty URL: back to the channels, with the group chosen before.
      if (before === undefined) clearAnswer(ctx, 'updates.group');
      else setAnswer(ctx, 'updates.group', before);
    }
  },
};

const SERVER_HELP =
  "The URL of the update server that serves this group, such as a Nebraska's https://HOST/v1/update/ (the machines' update.conf SERVER=); or disabled for no updates.";

/** The update server's URL for a custom group (checked as --update-server is); false: back to the channels. */
async function server(ctx: WizardContext): Promise<boolean> {
  const now = ctx.answers.updates?.server;
  const text = await ctx.prompts.input({
    message: `Update server URL for group ${String(currentValue(ctx, 'updates.group'))} (empty: back to the channels):`,
    default: now === undefined ? undefined : String(now),
    validate: (t) => {
      if (t.trim() === '') return true;
      if (t.trim() === '?') return SERVER_HELP;
      return problemWith(ctx, 'updates.server', t.trim()) ?? true;
    },
  });
  if (text.trim() === '') return false;
  seen(ctx).add('updates.server');
  setAnswer(ctx, 'updates.server', text.trim());
  return true;
}

const customGroup = textQuestion('updates.group', 'updates', 'Update group id:', "The group id your update server (such as Nebraska) gives this cluster's machines.");

const strategy: Question = {
  id: 'updates.rebootStrategy',
  section: 'updates',
  applies: (ctx) => !isGiven(ctx, 'updates.rebootStrategy'),
  async ask(ctx) {
    const hasEtcd = findArchitecture(presetOf(ctx))?.runsEtcd !== false;
    const chosen = await ctx.prompts.select<RebootStrategy>({
      message: 'Reboot strategy after an update:',
      choices: [
        ...(hasEtcd ? [{ name: 'etcd-lock', value: 'etcd-lock' as const, description: 'one machine at a time, coordinated through etcd (locksmith)' }] : []),
        { name: 'reboot', value: 'reboot', description: 'each machine reboots as soon as its update is installed' },
        { name: 'off', value: 'off', description: 'never reboot automatically' },
      ],
      default: suggestion(ctx, 'updates.rebootStrategy', ['reboot']) as RebootStrategy | undefined,
    });
    setAnswer(ctx, 'updates.rebootStrategy', chosen);
  },
};

const rebooting = (ctx: WizardContext) => currentValue(ctx, 'updates.rebootStrategy') !== 'off';
const ANY = '\u0000any';
const WINDOW = '\u0000window';

const window: Question = {
  id: 'updates.rebootWindowStart',
  section: 'updates',
  applies: (ctx) => !isGiven(ctx, 'updates.rebootWindowStart') && !isGiven(ctx, 'updates.rebootWindowLength') && rebooting(ctx),
  async ask(ctx) {
    const start = currentValue(ctx, 'updates.rebootWindowStart');
    const length = currentValue(ctx, 'updates.rebootWindowLength');
    const chosen = await ctx.prompts.select<string>({
      message: 'When may machines reboot into an update?',
      choices: [
        { name: 'any time', value: ANY, description: 'as soon as the update is installed (and, with etcd-lock, the lock is free)' },
        {
          name: start ? `in a window: ${String(start)} for ${String(length)}` : 'in a reboot window…',
          value: WINDOW,
          description: 'a daily or weekly window, like 04:00 for 1h, or Thu 04:00 for 2h',
        },
      ],
      default: start ? WINDOW : ANY,
    });
    if (chosen === ANY) {
      clearAnswer(ctx, 'updates.rebootWindowStart');
      clearAnswer(ctx, 'updates.rebootWindowLength');
      return;
    }
    const startText = await ctx.prompts.input({
      message: 'Reboot window start (like 04:00 or Thu 04:00):',
      default: start === undefined ? '04:00' : String(start),
      validate: (t) =>
        t.trim() === '?'
          ? 'A time (HH:MM) when reboots may begin, daily, or on a weekday: "Sun 03:30".'
          : check(ctx, t.trim(), String(length ?? '1h'), 'updates.rebootWindowStart'),
    });
    const lengthText = await ctx.prompts.input({
      message: 'Reboot window length (like 1h or 1h30m):',
      default: length === undefined ? '1h' : String(length),
      validate: (t) => (t.trim() === '?' ? 'How long the window stays open: 30m, 1h, 2h30m.' : check(ctx, startText.trim(), t.trim(), 'updates.rebootWindowLength')),
    });
    setAnswer(ctx, 'updates.rebootWindowStart', startText.trim());
    setAnswer(ctx, 'updates.rebootWindowLength', lengthText.trim());
  },
};

function check(_ctx: WizardContext, start: string, length: string, field: 'updates.rebootWindowStart' | 'updates.rebootWindowLength'): true | string {
  // The answer's own check, as its definition gives it (the flags' and the answers file's).
  return checkOf(field)?.(field === 'updates.rebootWindowStart' ? start : length) ?? true;
}

export const UPDATES: Question[] = [group, strategy, window];
