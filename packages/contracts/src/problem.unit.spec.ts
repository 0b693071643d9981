import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  formatValidationErrors,
  ProblemDetails,
  rejectionProblem,
  validationProblem,
} from './problem.js';
import {
  ArticleRejection,
  describeRejection,
  rejectionStatus,
  rejectionStatuses,
  type ArticleRejectionTag,
} from './rejections.js';
import { CommandEnvelope } from './commands.js';

const errorsOf = (codec: t.Decoder<unknown, unknown>, u: unknown): t.Errors => {
  const r = codec.decode(u);
  if (E.isRight(r)) throw new Error('expected a failure');
  return r.left;
};

describe('formatValidationErrors', () => {
  it('gives readable paths through a real command failure', () => {
    const errors = errorsOf(CommandEnvelope, {
      commandId: '0190c0de-0000-7000-8000-000000000001',
      articleId: '0190c0de-0000-7000-8000-0000000000a1',
      type: 'CreateDraft',
      data: {
        content: {
          headline: 'Hải Phòng',
          byline: 'Hoàng Tùng',
          publisher: { name: 'Cổng' },
          blocks: [
            { kind: 'paragraph', text: 'a' },
            { kind: 'image', caption: 'b' },
            { kind: 'paragraph', text: 'c' },
            { kind: 'paragraph', text: '' },
          ],
        },
      },
    });
    expect(formatValidationErrors(errors)).toEqual([
      { path: 'data.content.blocks.3.text', message: 'must not be blank' },
    ]);
  });

  it('drops the member indexes of t.union and t.intersection', () => {
    const Codec = t.type({
      a: t.union([t.string, t.number]),
      b: t.intersection([t.type({ x: t.string }), t.partial({ y: t.number })]),
    });
    expect(formatValidationErrors(errorsOf(Codec, { a: true, b: { x: 1, y: 'z' } }))).toEqual([
      { path: 'a', message: 'expected string, got true' },
      { path: 'a', message: 'expected number, got true' },
      { path: 'b.x', message: 'expected string, got 1' },
      { path: 'b.y', message: 'expected number, got "z"' },
    ]);
    expect(formatValidationErrors(errorsOf(Codec, { a: 's' }))).toEqual([
      { path: 'b', message: 'required' },
    ]);
  });
});

describe('rejections and problem details', () => {
  const samples: { readonly [K in ArticleRejectionTag]: ArticleRejection & { _tag: K } } = {
    ArticleNotFound: {
      _tag: 'ArticleNotFound',
      state: 'Initial',
      articleId: '0190c0de-0000-7000-8000-0000000000a1',
    },
    ArticleAlreadyExists: {
      _tag: 'ArticleAlreadyExists',
      state: 'Draft',
      articleId: '0190c0de-0000-7000-8000-0000000000a1',
    },
    RoleNotAllowed: {
      _tag: 'RoleNotAllowed',
      state: 'Draft',
      role: 'auditor',
      command: 'ReviseDraft',
    },
    ApproverIsContributor: { _tag: 'ApproverIsContributor', state: 'InReview', approverId: 'e' },
    ReviewerIsContributor: { _tag: 'ReviewerIsContributor', state: 'InReview', reviewerId: 'e' },
    NoChange: { _tag: 'NoChange', state: 'Draft' },
    ArticleNotDraft: { _tag: 'ArticleNotDraft', state: 'Approved' },
    ArticleNotInReview: { _tag: 'ArticleNotInReview', state: 'Draft' },
    ArticleNotApproved: { _tag: 'ArticleNotApproved', state: 'Draft' },
    ArticleNotScheduled: { _tag: 'ArticleNotScheduled', state: 'Published' },
    ArticleNotPublished: { _tag: 'ArticleNotPublished', state: 'Approved' },
    NoCorrectionPending: { _tag: 'NoCorrectionPending', state: 'Published' },
    CorrectionNotApproved: { _tag: 'CorrectionNotApproved', state: 'Published' },
    CorrectionAlreadyApproved: { _tag: 'CorrectionAlreadyApproved', state: 'Published' },
    ArticleIsFinal: { _tag: 'ArticleIsFinal', state: 'Discarded' },
    ArticleIsRetracted: { _tag: 'ArticleIsRetracted', state: 'Retracted' },
    ScheduleNotInFuture: {
      _tag: 'ScheduleNotInFuture',
      state: 'Approved',
      releaseAt: '2019-04-08T00:00:00Z',
      now: '2019-04-08T20:59:00+07:00',
    },
    ScheduleNotDue: {
      _tag: 'ScheduleNotDue',
      state: 'Scheduled',
      releaseAt: '2019-04-09T00:00:00Z',
      now: '2019-04-08T20:59:00+07:00',
    },
  };

  it.each(Object.values(samples))('$_tag decodes and becomes a problem', (rejection) => {
    const decoded = ArticleRejection.decode(rejection);
    expect(E.isRight(decoded) && decoded.right).toEqual(rejection);
    const problem = rejectionProblem(rejection, { instance: '/v1/drafts/x', currentRevision: 4 });
    expect(problem.status).toBe(rejectionStatus(rejection._tag));
    expect(problem.detail).toBe(describeRejection(rejection));
    expect(problem.type).toMatch(/^urn:newsroom:problem:[a-z-]+$/);
    expect(E.isRight(ProblemDetails.decode(JSON.parse(JSON.stringify(problem))))).toBe(true);
  });

  it('maps every tag to the agreed HTTP status', () => {
    expect(rejectionStatuses).toEqual({
      ArticleNotFound: 404,
      ArticleAlreadyExists: 409,
      RoleNotAllowed: 403,
      ApproverIsContributor: 403,
      ReviewerIsContributor: 422,
      NoChange: 422,
      ArticleNotDraft: 409,
      ArticleNotInReview: 409,
      ArticleNotApproved: 409,
      ArticleNotScheduled: 409,
      ArticleNotPublished: 409,
      NoCorrectionPending: 409,
      CorrectionNotApproved: 409,
      CorrectionAlreadyApproved: 409,
      ArticleIsFinal: 409,
      ArticleIsRetracted: 409,
      ScheduleNotInFuture: 422,
      ScheduleNotDue: 409,
    });
  });

  it('rejects a rejection with a wrong state name at its path', () => {
    const r = ArticleRejection.decode({ _tag: 'NoChange', state: 'Limbo' });
    expect(E.isLeft(r) && formatValidationErrors(r.left).map((e) => e.path)).toEqual(['state']);
  });

  it('builds a validation problem with field paths', () => {
    const problem = validationProblem(errorsOf(CommandEnvelope, { type: 'SubmitForReview' }), {
      instance: '/v1/drafts',
    });
    expect(problem).toEqual({
      type: 'urn:newsroom:problem:validation-failed',
      title: 'Validation failed',
      status: 400,
      detail: 'The request does not match the expected shape; see errors.',
      instance: '/v1/drafts',
      errors: [
        { path: 'commandId', message: 'required' },
        { path: 'articleId', message: 'required' },
      ],
    });
    const decoded = ProblemDetails.decode({ ...problem, extension: 'allowed' });
    expect(E.isRight(decoded)).toBe(true);
    const bad = ProblemDetails.decode({ type: 'x', title: 'y', status: 99 });
    expect(E.isLeft(bad) && formatValidationErrors(bad.left)).toEqual([
      { path: 'status', message: 'expected an HTTP status 100..599' },
    ]);
  });
});
