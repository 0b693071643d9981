/**
 * The state × command table: every command, with an allowed actor and valid data, against
 * an article in every state. A cell is either the event emitted or the rejection's tag.
 * Then the role matrix: every command × every role, where the command would otherwise succeed.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, ArticleCommand, ArticleCommandType, Role } from '@newsroom/contracts';
import { articleCommandTypes, roles } from '@newsroom/contracts';
import { commandRoles } from './decide.js';
import { actors, command, given, histories, replaceInText, time } from './testkit.js';

const { content, states } = histories();
const { reporter, editorA, editorB, publisher, system } = actors;
const revised = replaceInText(content, 'của của', 'của');
const otherCorrection = replaceInText(content, 'nội dụng', 'nội dung');

const defaults: { readonly [K in ArticleCommandType]: (actor?: Actor) => ArticleCommand } = {
  CreateDraft: (a = reporter) => command('CreateDraft', { content }, a, time(100)),
  ReviseDraft: (a = editorA) => command('ReviseDraft', { content: revised }, a, time(100)),
  SubmitForReview: (a = reporter) => command('SubmitForReview', {}, a, time(100)),
  WithdrawSubmission: (a = reporter) => command('WithdrawSubmission', {}, a, time(100)),
  DiscardDraft: (a = reporter) => command('DiscardDraft', {}, a, time(100)),
  AssignReviewer: (a = editorA) =>
    command('AssignReviewer', { reviewerId: 'editor-c' }, a, time(100)),
  RequestChanges: (a = editorA) =>
    command('RequestChanges', { comments: [{ text: 'Sửa lại', blockIndex: 2 }] }, a, time(100)),
  ApproveArticle: (a = editorB) => command('ApproveArticle', {}, a, time(100)),
  RejectArticle: (a = editorB) => command('RejectArticle', { reason: 'Không' }, a, time(100)),
  PublishArticle: (a = publisher) => command('PublishArticle', { mode: 'now' }, a, time(100)),
  ReleaseScheduledPublication: (a = system) =>
    command('ReleaseScheduledPublication', {}, a, time(100)),
  CancelSchedule: (a = publisher) => command('CancelSchedule', {}, a, time(100)),
  CorrectArticle: (a = reporter) =>
    command('CorrectArticle', { content: otherCorrection, notice: 'Đính chính' }, a, time(100)),
  PublishCorrection: (a = publisher) => command('PublishCorrection', {}, a, time(100)),
  UnpublishArticle: (a = publisher) =>
    command('UnpublishArticle', { reason: 'Tạm gỡ' }, a, time(100)),
  RetractArticle: (a = publisher) =>
    command('RetractArticle', { reason: 'Sai', notice: 'Đã gỡ' }, a, time(100)),
};

type Row = { readonly [K in ArticleCommandType]: string };
const all = (outcome: string): Row =>
  Object.fromEntries(articleCommandTypes.map((type) => [type, outcome])) as unknown as Row;

const afterApproval: Row = {
  CreateDraft: 'ArticleAlreadyExists',
  ReviseDraft: 'ArticleNotDraft',
  SubmitForReview: 'ArticleNotDraft',
  WithdrawSubmission: 'ArticleNotInReview',
  DiscardDraft: 'ArticleNotDraft',
  AssignReviewer: 'ArticleNotInReview',
  RequestChanges: 'ArticleNotInReview',
  ApproveArticle: 'ArticleNotInReview',
  RejectArticle: 'ArticleNotInReview',
  PublishArticle: 'ArticleNotApproved',
  ReleaseScheduledPublication: 'ArticleNotScheduled',
  CancelSchedule: 'ArticleNotScheduled',
  CorrectArticle: 'ArticleNotPublished',
  PublishCorrection: 'ArticleNotPublished',
  UnpublishArticle: 'ArticleNotPublished',
  RetractArticle: 'ArticleNotPublished',
};
const draft: Row = {
  ...afterApproval,
  ReviseDraft: 'DraftRevised.v1',
  SubmitForReview: 'SubmittedForReview.v1',
  DiscardDraft: 'DraftDiscarded.v1',
};
const published: Row = {
  ...afterApproval,
  ApproveArticle: 'NoCorrectionPending',
  RejectArticle: 'NoCorrectionPending',
  CorrectArticle: 'CorrectionDrafted.v1',
  PublishCorrection: 'NoCorrectionPending',
  UnpublishArticle: 'ArticleUnpublished.v1',
  RetractArticle: 'ArticleRetracted.v1',
};
const scheduled: Row = {
  ...afterApproval,
  ReleaseScheduledPublication: 'ArticlePublished.v1',
  CancelSchedule: 'ScheduleCancelled.v1',
};
const final: Row = { ...all('ArticleIsFinal'), CreateDraft: 'ArticleAlreadyExists' };

const table: { readonly [K in keyof typeof states]: Row } = {
  Initial: { ...all('ArticleNotFound'), CreateDraft: 'DraftCreated.v1' },
  Draft: draft,
  InReview: {
    ...afterApproval,
    ReviseDraft: 'DraftRevised.v1',
    WithdrawSubmission: 'SubmissionWithdrawn.v1',
    AssignReviewer: 'ReviewerAssigned.v1',
    RequestChanges: 'ChangesRequested.v1',
    ApproveArticle: 'ArticleApproved.v1',
    RejectArticle: 'ArticleRejected.v1',
  },
  ChangesRequested: { ...draft, AssignReviewer: 'ReviewerAssigned.v1' },
  Approved: { ...afterApproval, PublishArticle: 'ArticlePublished.v1' },
  Rejected: final,
  Discarded: final,
  Scheduled: scheduled,
  Embargoed: scheduled,
  Published: published,
  CorrectionDrafted: {
    ...published,
    AssignReviewer: 'ReviewerAssigned.v1',
    ApproveArticle: 'CorrectionApproved.v1',
    RejectArticle: 'CorrectionRejected.v1',
    PublishCorrection: 'CorrectionNotApproved',
  },
  CorrectionApproved: {
    ...published,
    ApproveArticle: 'CorrectionAlreadyApproved',
    RejectArticle: 'CorrectionAlreadyApproved',
    PublishCorrection: 'CorrectionPublished.v1',
  },
  Corrected: published,
  Unpublished: {
    ...afterApproval,
    PublishArticle: 'ArticlePublished.v1',
    ApproveArticle: 'NoCorrectionPending',
    RejectArticle: 'NoCorrectionPending',
    RetractArticle: 'ArticleRetracted.v1',
  },
  Retracted: all('ArticleIsRetracted'),
};

describe('state × command', () => {
  describe.each(Object.keys(table) as (keyof typeof table)[])('given a %s article', (name) => {
    const cells = articleCommandTypes.map((type) => [type, table[name][type]] as const);
    it.each(cells)('%s -> %s', (type, expected) => {
      const outcome = given(...states[name]).when(defaults[type]());
      if (expected.endsWith('.v1')) outcome.thenEmits(expected as never);
      else outcome.thenRejects(expected as never);
    });
  });
});

/** A state in which the command, sent by an allowed role, succeeds. */
const succeedsIn: { readonly [K in ArticleCommandType]: keyof typeof states } = {
  CreateDraft: 'Initial',
  ReviseDraft: 'Draft',
  SubmitForReview: 'Draft',
  WithdrawSubmission: 'InReview',
  DiscardDraft: 'Draft',
  AssignReviewer: 'InReview',
  RequestChanges: 'InReview',
  ApproveArticle: 'InReview',
  RejectArticle: 'InReview',
  PublishArticle: 'Approved',
  ReleaseScheduledPublication: 'Scheduled',
  CancelSchedule: 'Scheduled',
  CorrectArticle: 'Published',
  PublishCorrection: 'CorrectionApproved',
  UnpublishArticle: 'Published',
  RetractArticle: 'Published',
};

describe('roles', () => {
  it('gives the auditor no command and the system only the scheduler release', () => {
    const of = (role: Role) => articleCommandTypes.filter((t) => commandRoles[t].includes(role));
    expect(of('auditor')).toEqual([]);
    expect(of('system')).toEqual(['ReleaseScheduledPublication']);
    expect(of('reporter')).toEqual([
      'CreateDraft',
      'ReviseDraft',
      'SubmitForReview',
      'WithdrawSubmission',
      'DiscardDraft',
      'CorrectArticle',
    ]);
    expect(of('publisher')).toEqual([
      'PublishArticle',
      'CancelSchedule',
      'PublishCorrection',
      'UnpublishArticle',
      'RetractArticle',
    ]);
    expect(of('admin')).toHaveLength(15);
  });

  describe.each(articleCommandTypes)('%s', (type) => {
    it.each(roles)('sent by %s', (role) => {
      const actor = { id: `${role}-someone`, role };
      const outcome = given(...states[succeedsIn[type]]).when(defaults[type](actor));
      if (commandRoles[type].includes(role)) {
        expect(outcome.result._tag, JSON.stringify(outcome.result)).toBe('Right');
      } else {
        outcome.thenRejects('RoleNotAllowed', { role, command: type });
      }
    });
  });
});
