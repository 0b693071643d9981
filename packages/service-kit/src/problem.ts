import type { Response } from 'express';

/** RFC 9457 problem details, with io-ts field paths in `errors`. The codec of this body
 *  lives in @newsroom/contracts (ProblemDetails); this is the one place that writes it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly currentRevision?: number;
  readonly [extension: string]: unknown;
}

const kebab = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();

/** A problem whose `type` is a stable URN derived from its title or tag. */
export const problem = (
  status: number,
  title: string,
  detail?: string,
  extensions: Omit<Partial<Problem>, 'status' | 'title' | 'detail'> = {},
): Problem => ({
  type: `urn:newsroom:problem:${kebab(title)}`,
  title,
  status,
  ...(detail === undefined ? {} : { detail }),
  ...extensions,
});

export const sendProblem = (res: Response, body: Problem): void => {
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
};
