/** `schema`: the JSON Schema of answers files on standard output. */
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { EXIT_CODES } from '../options.js';
import type { CommandContext } from './context.js';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('schema')
    .description('Print the JSON Schema of answers files (schema/answers.schema.json)')
    .option('--no-color', 'plain text output (the schema is never coloured)')
    .addHelpText('after', `\n${EXIT_CODES.schema}`)
    .action(async () => {
      const { answersSchemaText } = await import('../../answers/definition.js');
      ctx.streams.stdout(answersSchemaText());
      ctx.setExit(EXIT.ok);
    });
}
