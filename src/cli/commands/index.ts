/** Every command, in the order `--help` lists them (the default command first). */
import type { Register } from './context.js';
import { register as generate } from './generate.js';
import { register as plan } from './plan.js';
import { register as schema } from './schema.js';
import { register as init } from './init.js';
import { register as transpile } from './transpile.js';
import { register as rehearse } from './rehearse.js';
import { register as scale } from './scale.js';
import { register as replace } from './replace.js';
import { register as deliver } from './deliver.js';

export const COMMANDS: readonly Register[] = [generate, plan, schema, init, transpile, rehearse, scale, replace, deliver];
export type { CommandContext } from './context.js';
