import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { ArticleEvent } from '@newsroom/contracts';
import { articleDecider, replay } from './article.js';
import { publicView } from './public-view.js';
import { stateName } from './state.js';
import {
  actors,
  articleId,
  command,
  decodeContent,
  event,
  given,
  histories,
  replaceInText,
  time,
} from './testkit.js';

const { content, corrected, notice, states } = histories();
const { reporter, reporter2, editorA, editorB, editorC, publisher, admin, auditor, system } =
  actors;
const revised = replaceInText(content, 'của của', 'của');

describe('creating and revising drafts', () => {
  it('CreateDraft emits DraftCreated with the content, the command id, time and actor', () => {
    const state = given()
      .when(command('CreateDraft', { content }, reporter, time(0)))
      .then([event('DraftCreated.v1', { content }, reporter, time(0))]);
    expect(state).toMatchObject({
      status: 'Draft',
      articleId,
      createdBy: reporter,
      createdAt: time(0),
      contributors: [reporter.id],
      content,
    });
  });

  it('CreateDraft on an existing article is ArticleAlreadyExists', () => {
    given(...states.Draft)
      .when(command('CreateDraft', { content }, reporter))
      .thenRejects('ArticleAlreadyExists', { articleId });
  });

  it('any other command on no stream is ArticleNotFound', () => {
    given()
      .when(command('SubmitForReview', {}, reporter))
      .thenRejects('ArticleNotFound', { articleId, state: 'Initial' });
  });

  it('ReviseDraft carries the note when given and no note key when not', () => {
    given(...states.Draft)
      .when(command('ReviseDraft', { content: revised, note: 'bỏ chữ lặp' }, reporter, time(1)))
      .then([
        event('DraftRevised.v1', { content: revised, note: 'bỏ chữ lặp' }, reporter, time(1)),
      ]);
    const outcome = given(...states.Draft).when(
      command('ReviseDraft', { content: revised }, reporter, time(1)),
    );
    outcome.then([event('DraftRevised.v1', { content: revised }, reporter, time(1))]);
    expect(E.isRight(outcome.result) && Object.keys(outcome.result.right[0]?.data ?? {})).toEqual([
      'articleId',
      'at',
      'by',
      'content',
    ]);
  });

  it('a revision identical to the current content is NoChange, whatever the key order', () => {
    given(...states.Draft)
      .when(command('ReviseDraft', { content }, reporter))
      .thenRejects('NoChange');
    const reordered = decodeContent(
      Object.fromEntries(Object.entries(content).reverse()) as Record<string, unknown>,
    );
    expect(Object.keys(reordered)).not.toEqual(Object.keys(content));
    given(...states.Draft)
      .when(command('ReviseDraft', { content: reordered }, reporter))
      .thenRejects('NoChange');
  });

  it('a change to one character is a change (no silent normalization beyond NFC)', () => {
    const oneSpace = replaceInText(content, 'Ngày 8/4,', 'Ngày 8/4, ');
    given(...states.Draft)
      .when(command('ReviseDraft', { content: oneSpace }, reporter))
      .thenEmits('DraftRevised.v1');
  });

  it('in review, an editor may fix the text and becomes a contributor; a reporter may not', () => {
    given(...states.InReview)
      .when(command('ReviseDraft', { content: revised }, reporter))
      .thenRejects('RoleNotAllowed', { role: 'reporter', command: 'ReviseDraft' });
    const state = given(...states.InReview)
      .when(command('ReviseDraft', { content: revised }, editorA))
      .thenEmits('DraftRevised.v1');
    expect(state).toMatchObject({ status: 'InReview', contributors: [reporter.id, editorA.id] });
  });

  it('revising while changes are requested keeps the state and adds the reviser', () => {
    const state = given(...states.ChangesRequested)
      .when(command('ReviseDraft', { content: revised }, reporter2))
      .thenEmits('DraftRevised.v1');
    expect(state).toMatchObject({
      status: 'ChangesRequested',
      contributors: [reporter.id, reporter2.id],
    });
  });

  it('withdraw returns to Draft; discard is final', () => {
    expect(
      given(...states.InReview)
        .when(command('WithdrawSubmission', {}, reporter))
        .thenEmits('SubmissionWithdrawn.v1'),
    ).toMatchObject({ status: 'Draft' });
    given(...states.Draft)
      .when(command('DiscardDraft', { reason: 'Trùng bài' }, reporter))
      .thenEmits('DraftDiscarded.v1', { reason: 'Trùng bài' });
    given(...states.Discarded)
      .when(command('ReviseDraft', { content: revised }, reporter))
      .thenRejects('ArticleIsFinal', { state: 'Discarded' });
  });

  it('repeats that look idempotent are rejected', () => {
    given(...states.InReview)
      .when(command('SubmitForReview', {}, reporter))
      .thenRejects('ArticleNotDraft');
    given(...states.Draft)
      .when(command('WithdrawSubmission', {}, reporter))
      .thenRejects('ArticleNotInReview');
    given(...states.Approved)
      .when(command('ApproveArticle', {}, editorC))
      .thenRejects('ArticleNotInReview');
    given(...states.Published)
      .when(command('PublishArticle', { mode: 'now' }, publisher))
      .thenRejects('ArticleNotApproved', { state: 'Published' });
    given(...states.Unpublished)
      .when(command('UnpublishArticle', { reason: 'x' }, publisher))
      .thenRejects('ArticleNotPublished');
    given(...states.Scheduled, event('ScheduleCancelled.v1', {}, publisher, time(5)))
      .when(command('CancelSchedule', {}, publisher))
      .thenRejects('ArticleNotScheduled');
  });
});

describe('review and four eyes', () => {
  it('the creator cannot approve, even as admin', () => {
    const history = [
      event('DraftCreated.v1', { content }, admin, time(0)),
      event('SubmittedForReview.v1', {}, admin, time(1)),
    ];
    given(...history)
      .when(command('ApproveArticle', {}, admin))
      .thenRejects('ApproverIsContributor', { approverId: admin.id, state: 'InReview' });
    given(...history)
      .when(command('ApproveArticle', { note: 'Đồng ý' }, editorB, time(2)))
      .then([event('ArticleApproved.v1', { note: 'Đồng ý' }, editorB, time(2))]);
  });

  it('an editor who revised the text under review cannot approve it; another can', () => {
    const history = [
      ...states.InReview,
      event('DraftRevised.v1', { content: revised }, editorA, time(2)),
    ];
    given(...history)
      .when(command('ApproveArticle', {}, editorA))
      .thenRejects('ApproverIsContributor', { approverId: editorA.id });
    const state = given(...history)
      .when(command('ApproveArticle', {}, editorB))
      .thenEmits('ArticleApproved.v1');
    expect(state).toMatchObject({ status: 'Approved', approvedBy: editorB, content: revised });
  });

  it('four eyes knows a person whatever the Unicode form or case of the id', () => {
    const nfc = { id: 'biên-tập-viên.hà', role: 'editor' } as const;
    const others = [
      { id: nfc.id.normalize('NFD'), role: 'editor' },
      { id: 'BIÊN-TẬP-VIÊN.HÀ', role: 'editor' },
      { id: 'ｂｉêｎ-tập-viên.hà', role: 'admin' }, // full-width letters
    ] as const;
    const history = [
      ...states.InReview,
      event('DraftRevised.v1', { content: revised }, nfc, time(2)),
    ];
    for (const same of others) {
      given(...history)
        .when(command('ApproveArticle', {}, same))
        .thenRejects('ApproverIsContributor', { approverId: same.id });
    }
    // The original id is what the events keep: the contributor is recorded as written.
    const state = given(...history)
      .when(command('ApproveArticle', {}, editorB))
      .thenEmits('ArticleApproved.v1');
    expect(state).toMatchObject({ contributors: [reporter.id, nfc.id] });
  });

  it('a revision by the same person in capitals adds no second contributor', () => {
    const upper = { id: editorA.id.toUpperCase(), role: 'editor' } as const;
    const state = given(
      ...states.InReview,
      event('DraftRevised.v1', { content: revised }, editorA, time(2)),
      event('DraftRevised.v1', { content }, upper, time(3)),
    )
      .when(command('ApproveArticle', {}, editorB))
      .thenEmits('ArticleApproved.v1');
    expect(state).toMatchObject({ contributors: [reporter.id, editorA.id] });
  });

  it('assigning the same reviewer again in capitals is NoChange', () => {
    given(...states.InReview, event('ReviewerAssigned.v1', { reviewerId: editorB.id }, editorA))
      .when(command('AssignReviewer', { reviewerId: editorB.id.toUpperCase() }, editorA))
      .thenRejects('NoChange');
  });

  it('four eyes: STRAẞE, straße and strasse are one person', () => {
    const author = { id: 'STRAẞE', role: 'editor' } as const;
    const history = [
      ...states.InReview,
      event('DraftRevised.v1', { content: revised }, author, time(2)),
    ];
    for (const id of ['straße', 'strasse', 'Strasse']) {
      given(...history)
        .when(command('ApproveArticle', {}, { id, role: 'editor' }))
        .thenRejects('ApproverIsContributor');
    }
  });

  it('a reviewer who wrote the text is refused in another case too', () => {
    given(...states.InReview)
      .when(command('AssignReviewer', { reviewerId: reporter.id.toUpperCase() }, editorA))
      .thenRejects('ReviewerIsContributor');
  });

  it('an editor who only requested changes may still approve', () => {
    given(...states.ChangesRequested, event('SubmittedForReview.v1', {}, reporter, time(3)))
      .when(command('ApproveArticle', {}, editorA))
      .thenEmits('ArticleApproved.v1');
  });

  it('RequestChanges carries the comments; only for articles in review', () => {
    const comments = [{ text: 'Sửa "Đại hội VIII"', blockIndex: 2 }, { text: 'Thêm ảnh' }];
    given(...states.InReview)
      .when(command('RequestChanges', { comments }, editorA, time(2)))
      .then([event('ChangesRequested.v1', { comments }, editorA, time(2))]);
    given(...states.ChangesRequested)
      .when(command('RequestChanges', { comments }, editorA))
      .thenRejects('ArticleNotInReview', { state: 'ChangesRequested' });
  });

  it('a reviewer must not be a contributor, and assigning the same one again is NoChange', () => {
    given(...states.InReview)
      .when(command('AssignReviewer', { reviewerId: reporter.id }, editorA))
      .thenRejects('ReviewerIsContributor', { reviewerId: reporter.id });
    const state = given(...states.InReview)
      .when(command('AssignReviewer', { reviewerId: editorB.id }, editorA))
      .thenEmits('ReviewerAssigned.v1', { reviewerId: editorB.id });
    expect(state).toMatchObject({ reviewerId: editorB.id });
    given(...states.InReview, event('ReviewerAssigned.v1', { reviewerId: editorB.id }, editorA))
      .when(command('AssignReviewer', { reviewerId: editorB.id }, editorA))
      .thenRejects('NoChange');
  });

  it('a rejected article is final', () => {
    given(...states.InReview)
      .when(command('RejectArticle', { reason: 'Không phù hợp' }, editorB))
      .thenEmits('ArticleRejected.v1', { reason: 'Không phù hợp' });
    given(...states.Rejected)
      .when(command('SubmitForReview', {}, reporter))
      .thenRejects('ArticleIsFinal', { state: 'Rejected' });
  });
});

describe('publication, schedules and embargoes', () => {
  it('publishing now is version 1 with the approved text', () => {
    const state = given(...states.Approved)
      .when(command('PublishArticle', { mode: 'now' }, publisher, time(5)))
      .then([event('ArticlePublished.v1', { version: 1, content }, publisher, time(5))]);
    expect(state.status === 'Published' && state.published).toEqual({
      version: 1,
      content,
      firstPublishedAt: time(5),
      updatedAt: time(5),
      corrections: [],
    });
  });

  it('a schedule must be after now (compared as instants across offsets)', () => {
    const now = '2019-04-08T20:00:00+07:00'; // 13:00Z
    for (const at of [now, '2019-04-08T12:59:59Z', '2019-04-08T19:00:00+07:00']) {
      given(...states.Approved)
        .when(command('PublishArticle', { mode: 'scheduled', at }, publisher, now))
        .thenRejects('ScheduleNotInFuture', { releaseAt: at, now });
    }
    given(...states.Approved)
      .when(command('PublishArticle', { mode: 'embargoed', until: now }, publisher, now))
      .thenRejects('ScheduleNotInFuture');
    given(...states.Approved)
      .when(
        command(
          'PublishArticle',
          { mode: 'scheduled', at: '2019-04-08T13:00:01Z' },
          publisher,
          now,
        ),
      )
      .then([
        event(
          'PublicationScheduled.v1',
          { embargo: false, releaseAt: '2019-04-08T13:00:01Z' },
          publisher,
          now,
        ),
      ]);
  });

  it('an embargo is a schedule with embargo: true, invisible until released', () => {
    const state = given(...states.Approved)
      .when(command('PublishArticle', { mode: 'embargoed', until: time(60) }, publisher, time(4)))
      .then([
        event(
          'PublicationScheduled.v1',
          { embargo: true, releaseAt: time(60) },
          publisher,
          time(4),
        ),
      ]);
    expect(state).toMatchObject({
      status: 'Scheduled',
      schedule: { releaseAt: time(60), embargo: true, scheduledBy: publisher },
    });
    expect(publicView(state)).toBeNull();
  });

  it('the scheduler releases when due, not before; only the system may', () => {
    given(...states.Embargoed)
      .when(command('ReleaseScheduledPublication', {}, system, time(59)))
      .thenRejects('ScheduleNotDue', { releaseAt: time(60), now: time(59) });
    given(...states.Embargoed)
      .when(command('ReleaseScheduledPublication', {}, system, time(60)))
      .then([event('ArticlePublished.v1', { version: 1, content }, system, time(60))]);
    for (const actor of [publisher, admin]) {
      given(...states.Embargoed)
        .when(command('ReleaseScheduledPublication', {}, actor, time(60)))
        .thenRejects('RoleNotAllowed', { role: actor.role });
    }
    given(...states.Approved)
      .when(command('ReleaseScheduledPublication', {}, system, time(60)))
      .thenRejects('ArticleNotScheduled', { state: 'Approved' });
  });

  it('cancelling a schedule goes back to Approved, or to Unpublished for a republication', () => {
    expect(
      given(...states.Scheduled)
        .when(command('CancelSchedule', { reason: 'Hoãn' }, publisher))
        .thenEmits('ScheduleCancelled.v1', { reason: 'Hoãn' }),
    ).toMatchObject({ status: 'Approved' });
    const rescheduled = [
      ...states.Unpublished,
      event(
        'PublicationScheduled.v1',
        { embargo: false, releaseAt: time(60) },
        publisher,
        time(10),
      ),
    ];
    const back = given(...rescheduled)
      .when(command('CancelSchedule', {}, publisher, time(11)))
      .thenEmits('ScheduleCancelled.v1');
    expect(back).toMatchObject({ status: 'Unpublished', published: { version: 1 } });
    expect('schedule' in back).toBe(false);
  });

  it('unpublish then republish keeps the version and the last published text', () => {
    const state = given(
      ...states.Corrected,
      event('ArticleUnpublished.v1', { reason: 'x' }, publisher),
    )
      .when(command('PublishArticle', { mode: 'now' }, publisher, time(20)))
      .then([
        event('ArticlePublished.v1', { version: 2, content: corrected }, publisher, time(20)),
      ]);
    expect(state.status === 'Published' && state.published).toMatchObject({
      version: 2,
      firstPublishedAt: time(5),
      updatedAt: time(20),
    });
  });
});

describe('corrections', () => {
  it('a correction must change the published text', () => {
    given(...states.Published)
      .when(command('CorrectArticle', { content, notice }, reporter))
      .thenRejects('NoChange');
  });

  it('CorrectArticle drafts the correction; a second one replaces it and adds its drafter', () => {
    const first = given(...states.Published)
      .when(command('CorrectArticle', { content: corrected, notice }, reporter, time(6)))
      .then([event('CorrectionDrafted.v1', { content: corrected, notice }, reporter, time(6))]);
    expect(first).toMatchObject({
      status: 'Published',
      content,
      correction: { status: 'drafted', contributors: [reporter.id], content: corrected },
    });
    const better = replaceInText(corrected, 'nội dụng', 'nội dung');
    const second = given(...states.CorrectionDrafted)
      .when(command('CorrectArticle', { content: better, notice }, editorA, time(7)))
      .thenEmits('CorrectionDrafted.v1');
    expect(second).toMatchObject({
      correction: { content: better, contributors: [reporter.id, editorA.id] },
    });
    given(...states.CorrectionDrafted)
      .when(command('CorrectArticle', { content: corrected, notice }, editorA))
      .thenRejects('NoChange');
    given(...states.CorrectionDrafted)
      .when(command('CorrectArticle', { content: corrected, notice: `${notice} (sửa)` }, editorA))
      .thenEmits('CorrectionDrafted.v1');
  });

  it('four eyes for corrections: none of its drafters may approve it', () => {
    const history = [
      ...states.CorrectionDrafted,
      event('CorrectionDrafted.v1', { content: revised, notice }, editorA, time(7)),
    ];
    // The reporter drafted it: approving as an editor would still be the same person.
    given(...history)
      .when(command('ApproveArticle', {}, { id: reporter.id, role: 'editor' }))
      .thenRejects('ApproverIsContributor', { approverId: reporter.id });
    given(...history)
      .when(command('ApproveArticle', {}, editorA))
      .thenRejects('ApproverIsContributor', { approverId: editorA.id, state: 'Published' });
    given(...history)
      .when(command('ApproveArticle', { note: 'ok' }, editorB, time(8)))
      .then([event('CorrectionApproved.v1', { note: 'ok' }, editorB, time(8))]);
  });

  it('the writer of the original article may approve a correction drafted by someone else', () => {
    const history = [
      ...states.Published,
      event('CorrectionDrafted.v1', { content: corrected, notice }, editorA, time(6)),
    ];
    given(...history)
      .when(command('ApproveArticle', {}, { id: reporter.id, role: 'editor' }))
      .thenEmits('CorrectionApproved.v1');
  });

  it('a correction is published only once approved, as version + 1 with its notice', () => {
    given(...states.CorrectionDrafted)
      .when(command('PublishCorrection', {}, publisher))
      .thenRejects('CorrectionNotApproved');
    given(...states.Published)
      .when(command('PublishCorrection', {}, publisher))
      .thenRejects('NoCorrectionPending');
    const state = given(...states.CorrectionApproved)
      .when(command('PublishCorrection', {}, publisher, time(8)))
      .then([
        event(
          'CorrectionPublished.v1',
          { version: 2, notice, content: corrected },
          publisher,
          time(8),
        ),
      ]);
    expect(state).toMatchObject({
      status: 'Published',
      content: corrected,
      correction: null,
      contributors: [reporter.id],
      published: {
        version: 2,
        content: corrected,
        corrections: [{ version: 2, notice, at: time(8), by: publisher }],
      },
    });
    given(...states.Corrected)
      .when(command('PublishCorrection', {}, publisher))
      .thenRejects('NoCorrectionPending');
  });

  it('a rejected correction is dropped and the article stays published as it was', () => {
    const state = given(...states.CorrectionDrafted)
      .when(command('RejectArticle', { reason: 'Chưa đúng' }, editorB))
      .thenEmits('CorrectionRejected.v1', { reason: 'Chưa đúng' });
    const { updatedAt: _after, ...rest } = state as { updatedAt: string };
    const { updatedAt: _before, ...before } = replay(states.Published) as { updatedAt: string };
    expect(rest).toEqual(before);
    expect(state).toMatchObject({
      status: 'Published',
      correction: null,
      published: { version: 1 },
    });
  });

  it('a new correction after approval needs approving again', () => {
    const state = given(...states.CorrectionApproved)
      .when(command('CorrectArticle', { content: revised, notice }, editorA))
      .thenEmits('CorrectionDrafted.v1');
    expect(state).toMatchObject({ correction: { status: 'drafted', contributors: [editorA.id] } });
  });

  it('corrections need the article published', () => {
    given(...states.Unpublished)
      .when(command('CorrectArticle', { content: corrected, notice }, reporter))
      .thenRejects('ArticleNotPublished', { state: 'Unpublished' });
    given(...states.Approved)
      .when(command('CorrectArticle', { content: corrected, notice }, reporter))
      .thenRejects('ArticleNotPublished', { state: 'Approved' });
  });

  it('a pending correction survives unpublication and may still be reviewed', () => {
    const history = [
      ...states.CorrectionDrafted,
      event('ArticleUnpublished.v1', { reason: 'x' }, publisher, time(7)),
    ];
    given(...history)
      .when(command('ApproveArticle', {}, editorB))
      .thenEmits('CorrectionApproved.v1');
    given(...history, event('CorrectionApproved.v1', {}, editorB, time(8)))
      .when(command('PublishCorrection', {}, publisher))
      .thenRejects('ArticleNotPublished', { state: 'Unpublished' });
  });
});

describe('unpublication and retraction', () => {
  it('unpublish hides the article; retract leaves a tombstone and is final', () => {
    const unpublished = given(...states.Published)
      .when(command('UnpublishArticle', { reason: 'Tạm gỡ' }, publisher))
      .thenEmits('ArticleUnpublished.v1', { reason: 'Tạm gỡ' });
    expect(publicView(unpublished)).toBeNull();
    const retracted = given(...states.Unpublished)
      .when(command('RetractArticle', { reason: 'Sai', notice: 'Bài đã bị gỡ' }, admin, time(30)))
      .then([
        event('ArticleRetracted.v1', { reason: 'Sai', notice: 'Bài đã bị gỡ' }, admin, time(30)),
      ]);
    expect(publicView(retracted)).toEqual({
      kind: 'retracted',
      articleId,
      version: 1,
      notice: 'Bài đã bị gỡ',
      retractedAt: time(30),
    });
  });

  it('after a retraction every command is ArticleIsRetracted (roles are checked first)', () => {
    given(...states.Retracted)
      .when(command('CreateDraft', { content }, reporter))
      .thenRejects('ArticleIsRetracted', { state: 'Retracted' });
    given(...states.Retracted)
      .when(command('RetractArticle', { reason: 'x', notice: 'y' }, publisher))
      .thenRejects('ArticleIsRetracted');
    given(...states.Retracted)
      .when(command('PublishArticle', { mode: 'now' }, auditor))
      .thenRejects('RoleNotAllowed', { role: 'auditor' });
  });

  it('a scheduled article is not yet published: unpublish and retract are refused', () => {
    given(...states.Scheduled)
      .when(command('RetractArticle', { reason: 'x', notice: 'y' }, publisher))
      .thenRejects('ArticleNotPublished', { state: 'Scheduled' });
  });
});

describe('evolve, replay, views', () => {
  it('replay folds from the initial state; stateName names it', () => {
    expect(stateName(replay([]))).toBe('Initial');
    expect(replay([])).toBe(articleDecider.initialState);
    const names = Object.entries(states).map(([k, h]) => [k, stateName(replay(h))]);
    expect(Object.fromEntries(names)).toEqual({
      Initial: 'Initial',
      Draft: 'Draft',
      InReview: 'InReview',
      ChangesRequested: 'ChangesRequested',
      Approved: 'Approved',
      Rejected: 'Rejected',
      Discarded: 'Discarded',
      Scheduled: 'Scheduled',
      Embargoed: 'Scheduled',
      Published: 'Published',
      CorrectionDrafted: 'Published',
      CorrectionApproved: 'Published',
      Corrected: 'Published',
      Unpublished: 'Unpublished',
      Retracted: 'Retracted',
    });
  });

  it('ignores events before the stream is created and is JSON-serializable', () => {
    const stray: ArticleEvent = event('SubmittedForReview.v1', {}, reporter);
    expect(replay([stray])).toEqual({ status: 'Initial' });
    const state = replay(states.Corrected);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('publicView shows the published text with its corrections, and nothing before', () => {
    expect(publicView(replay(states.Approved))).toBeNull();
    expect(publicView(replay(states.Scheduled))).toBeNull();
    expect(publicView(replay(states.Corrected))).toEqual({
      kind: 'published',
      articleId,
      version: 2,
      content: corrected,
      firstPublishedAt: time(5),
      updatedAt: time(8),
      corrections: [{ version: 2, notice, at: time(8), by: publisher }],
    });
    expect(publicView(replay(states.CorrectionApproved))).toMatchObject({ version: 1, content });
  });
});
