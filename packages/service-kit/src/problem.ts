import type { Response } from 'express';
import { PROBLEM_CONTENT_TYPE, problemType } from '@newsroom/contracts';
import type { ProblemDetails } from '@newsroom/contracts';

/** RFC 9457 problem details; the codec is @newsroom/contracts' ProblemDetails. */
export type Problem = ProblemDetails;

/** A problem whose `type` is the stable URN of its title: 'Payload Too Large' ->
 *  `urn:newsroom:problem:payload-too-large`. */
export const problem = (
  status: number,
  title: string,
  detail?: string,
  extensions: Omit<Partial<Problem>, 'status' | 'title' | 'detail' | 'type'> = {},
): Problem => ({
  type: problemType(title.replace(/\s+/g, '')),
  title,
  status,
  ...(detail === undefined ? {} : { detail }),
  ...extensions,
});

/** The one function that writes an error response. */
export const sendProblem = (res: Response, body: Problem): void => {
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
};
