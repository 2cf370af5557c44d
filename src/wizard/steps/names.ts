/** Names: the cluster's name (which the output directory follows) and the prefix of every machine name. */
import { textQuestion, type Question } from '../question.js';

export const NAMES: Question[] = [
  textQuestion(
    'name',
    'names',
    'Cluster name (machine names, etcd token, output directory):',
    'Lowercase letters, digits and dashes, like edge or prod-eu; the output directory follows it unless you set one.',
  ),
  textQuestion('namePrefix', 'names', 'Machine name prefix:', 'Every machine name starts with it, like edge- (edge-etcd-1); it follows the cluster name unless you change it.', {
    parse: (t) => t.trim(),
  }),
];
