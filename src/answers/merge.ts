/** Layering answers: later layers win, nested sections merge key by key, lists are replaced. */
import type { Answers } from './types.js';

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);

function mergeTwo(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    out[key] = isPlain(value) && isPlain(out[key]) ? mergeTwo(out[key] as Plain, value) : value;
  }
  return out;
}

export function mergeAnswers(...layers: Answers[]): Answers {
  return layers.reduce<Plain>((acc, layer) => mergeTwo(acc, layer as Plain), {}) as Answers;
}
