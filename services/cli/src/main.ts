/**
 * The `newsroom` CLI. `newsroom token --role editor --sub alice` prints a development token
 * signed with JWT_SECRET (or the development secret the services use when none is set).
 */
import { parseArgs } from 'node:util';
import { actorIdProblem } from '@newsroom/contracts';
import { DEVELOPMENT_JWT_SECRET, ROLES, issueDevelopmentToken } from '@newsroom/service-kit';
import type { CallerRole } from '@newsroom/service-kit';

const usage = `usage:
  newsroom token --role <${ROLES.join('|')}> --sub <actor id> [--expires 8h]`;

const isRole = (value: string): value is CallerRole => (ROLES as readonly string[]).includes(value);

export const run = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  switch (command) {
    case 'token': {
      const { values } = parseArgs({
        args: [...rest],
        options: { role: { type: 'string' }, sub: { type: 'string' }, expires: { type: 'string' } },
        strict: true,
      });
      if (values.role === undefined || !isRole(values.role) || values.sub === undefined) {
        process.stderr.write(`${usage}\n`);
        return 2;
      }
      // The services refuse a token whose subject they could not record: say so now.
      const problem = actorIdProblem(values.sub);
      if (problem !== undefined) {
        process.stderr.write(`--sub ${problem}\n`);
        return 2;
      }
      const secret = process.env['JWT_SECRET'] ?? DEVELOPMENT_JWT_SECRET;
      const token = await issueDevelopmentToken(
        secret,
        { id: values.sub, role: values.role },
        { expiresIn: values.expires ?? '8h' },
      );
      process.stdout.write(`${token}\n`);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
};

process.exitCode = await run(process.argv.slice(2));
