/** The plan of answers, as the generator makes it (resolveSpec, then plan): for tests of what follows from a plan. */
import { resolveSpec } from '../../src/answers/resolve.js';
import { type Answers, type Problem, SpecError } from '../../src/answers/types.js';
import { plan, type Plan } from '../../src/plan/index.js';

export const planOf = (answers: Answers): Plan => plan(resolveSpec(answers).spec);

/** The problems the resolver finds in these answers ([] when it accepts them). */
export function resolverProblems(answers: Answers): Problem[] {
  try {
    resolveSpec(answers);
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
}
