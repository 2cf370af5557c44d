/** The plan of answers, as the generator makes it (resolveSpec, then plan): for tests of what follows from a plan. */
import { resolveSpec } from '../../src/answers/resolve.js';
import type { Answers } from '../../src/answers/types.js';
import { plan, type Plan } from '../../src/plan/index.js';

export const planOf = (answers: Answers): Plan => plan(resolveSpec(answers).spec);
