/**
 * The `newsroom` CLI: one binary, a subcommand each (commands/): `token` (development
 * tokens), `audit verify-export | verify-consistency` (offline verification), `replay`
 * (rebuild a read model), `demo` (the seed article's story against a running instance). Exit codes: 0 done or verified, 1 failed or not verified, 2 usage.
 */
import { AUDIT_USAGE, auditCommand } from './commands/audit.js';
import { DEMO_USAGE, demoCommand } from './commands/demo.js';
import { EXIT } from './commands/io.js';
import { REPLAY_USAGE, replayCommand } from './commands/replay.js';
import { TOKEN_USAGE, tokenCommand } from './commands/token.js';
import { loadDotEnv } from '@newsroom/service-kit';

const usage = `usage:
${TOKEN_USAGE}
${AUDIT_USAGE}
${REPLAY_USAGE}
${DEMO_USAGE}`;

export const run = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  try {
    loadDotEnv(); // JWT_SECRET and the rest as the instance started from this folder has them
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return EXIT.usage;
  }
  try {
    switch (command) {
      case 'token':
        return await tokenCommand(rest);
      case 'audit':
        return await auditCommand(rest);
      case 'replay':
        return await replayCommand(rest);
      case 'demo':
        return await demoCommand(rest);
      default:
        process.stderr.write(`${usage}\n`);
        return command === '--help' || command === 'help' ? EXIT.ok : EXIT.usage;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n${usage}\n`);
      return EXIT.usage;
    }
    throw error;
  }
};

process.exitCode = await run(process.argv.slice(2));
