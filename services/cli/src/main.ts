/**
 * The `newsroom` CLI: one binary, a subcommand each (commands/): `token` (development
 * tokens), `audit verify-export | verify-consistency` (offline verification), `replay`
 * (rebuild a read model), `demo` (the seed article's story against a running instance). Exit codes: 0 done or verified, 1 failed or not verified, 2 usage.
 */
import { AUDIT_USAGE, auditCommand } from './commands/audit.js';
import { ARTICLE_USAGE, historyCommand, statusCommand } from './commands/article.js';
import { DEMO_USAGE, demoCommand } from './commands/demo.js';
import { draftCommand, SEND_USAGE, sendCommand } from './commands/send.js';
import { TAIL_USAGE, tailCommand } from './commands/tail.js';
import { EXIT } from './commands/io.js';
import { REPLAY_USAGE, replayCommand } from './commands/replay.js';
import { TOKEN_USAGE, tokenCommand } from './commands/token.js';
import { loadDotEnv } from '@newsroom/service-kit';

const usage = `usage:
${TOKEN_USAGE}
${SEND_USAGE}
${ARTICLE_USAGE}
${TAIL_USAGE}
${AUDIT_USAGE}
${REPLAY_USAGE}
${DEMO_USAGE}`;

/** The usage of `command` (its own lines), or all of it. */
const usageOf = (command: string | undefined): string => {
  const own = usage.split('\n').filter((_line, i, all) => {
    const head = [...all.slice(0, i + 1)].reverse().find((l) => l.startsWith('  newsroom '));
    return head?.startsWith(`  newsroom ${command} `) || head === `  newsroom ${command}`;
  });
  return own.length > 0 ? `usage:\n${own.join('\n')}` : usage;
};

export const run = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${usageOf(command)}\n`);
    return EXIT.ok;
  }
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
      case 'send':
        return await sendCommand(rest);
      case 'draft':
        return await draftCommand(rest);
      case 'status':
        return await statusCommand(rest);
      case 'history':
        return await historyCommand(rest);
      case 'tail':
        return await tailCommand(rest);
      default:
        if (command === '--help' || command === '-h' || command === 'help') {
          process.stdout.write(`${usage}\n`);
          return EXIT.ok;
        }
        process.stderr.write(`${command === undefined ? '' : `no command ${command}\n`}${usage}\n`);
        return EXIT.usage;
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
