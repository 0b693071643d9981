/** `newsroom token --role editor --sub alice`: a development token signed with JWT_SECRET (or
 *  the development secret the services use when none is set). */
import { parseArgs } from 'node:util';
import { actorIdProblem } from '@newsroom/contracts';
import { DEVELOPMENT_JWT_SECRET, ROLES, issueDevelopmentToken } from '@newsroom/service-kit';
import type { CallerRole } from '@newsroom/service-kit';
import { EXIT } from './io.js';

export const TOKEN_USAGE = `  newsroom token --role <${ROLES.join('|')}> --sub <actor id> [--expires 8h]`;

const isRole = (value: string): value is CallerRole => (ROLES as readonly string[]).includes(value);

export const tokenCommand = async (args: readonly string[]): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: { role: { type: 'string' }, sub: { type: 'string' }, expires: { type: 'string' } },
    strict: true,
  });
  if (values.role === undefined || !isRole(values.role) || values.sub === undefined) {
    process.stderr.write(`usage:\n${TOKEN_USAGE}\n`);
    return EXIT.usage;
  }
  // The services refuse a token whose subject they could not record: say so now.
  const problem = actorIdProblem(values.sub);
  if (problem !== undefined) {
    process.stderr.write(`--sub ${problem}\n`);
    return EXIT.usage;
  }
  const secret = process.env['JWT_SECRET'] ?? DEVELOPMENT_JWT_SECRET;
  const token = await issueDevelopmentToken(
    secret,
    { id: values.sub, role: values.role },
    { expiresIn: values.expires ?? '8h' },
  );
  process.stdout.write(`${token}\n`);
  return EXIT.ok;
};
