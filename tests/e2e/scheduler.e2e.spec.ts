/**
 * Scheduled and embargoed publication: the publishing scheduler releases the article when its
 * time comes (as the `system` actor), not before; a cancelled schedule is never released.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.s' } as const;
const editor = { role: 'editor', sub: 'editor.s' } as const;
const publisher = { role: 'publisher', sub: 'publisher.s' } as const;

/** Polls `read` until `done` holds or the deadline passes; returns the last value. */
const waitFor = async <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 15_000,
): Promise<T> => {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
};

describe.each(STORE_KINDS)('the publishing scheduler on %s', (kind) => {
  const sys = useTestSystem(kind);

  const approved = async () => {
    const id = randomUUID();
    expect(
      (await sys.post('/v1/drafts', reporter, { articleId: id, data: { content: seedContent() } }))
        .status,
    ).toBe(201);
    expect((await sys.post(`/v1/drafts/${id}/submit`, reporter, {})).status).toBe(200);
    expect((await sys.post(`/v1/reviews/${id}/approve`, editor, {})).status).toBe(200);
    return id;
  };
  const statusOf = async (id: string) =>
    (await sys.get(`/v1/publications/${id}`, publisher)).body.status as string;

  it.each(['scheduled', 'embargoed'] as const)(
    'a %s article is released when its time comes, not before',
    async (mode) => {
      const id = await approved();
      const releaseAt = new Date(Date.now() + 1500);
      const data =
        mode === 'scheduled'
          ? { mode, at: releaseAt.toISOString() }
          : { mode, until: releaseAt.toISOString() };
      const scheduled = await sys.post(`/v1/publications/${id}/publish`, publisher, { data });
      expect(scheduled.status).toBe(200);
      expect(scheduled.body.article.schedule).toMatchObject({ embargo: mode === 'embargoed' });
      expect(await statusOf(id)).toBe('Scheduled');

      const status = await waitFor(
        () => statusOf(id),
        (s) => s === 'Published',
      );
      expect(status).toBe('Published');
      const events = await sys.store.readStream(`article-${id}`);
      const published = events[events.length - 1]!;
      expect(published.type).toBe('ArticlePublished.v1');
      expect((published.metadata as { actor: unknown }).actor).toEqual({
        id: 'publishing-scheduler',
        role: 'system',
      });
      // The release names what caused it: the event that scheduled it, and its correlation.
      const scheduledEvent = events.find((e) => e.type === 'PublicationScheduled.v1')!;
      const releaseMeta = published.metadata as { causationId: string; correlationId: string };
      expect(releaseMeta.causationId).toBe(scheduledEvent.id);
      expect(releaseMeta.correlationId).toBe(
        (scheduledEvent.metadata as { correlationId: string }).correlationId,
      );
      const at = new Date((published.data as { at: string }).at);
      expect(at.getTime()).toBeGreaterThanOrEqual(releaseAt.getTime());
    },
  );

  it('a cancelled schedule is not released', async () => {
    const id = await approved();
    const control = await approved();
    // Generous margins: the cancel must land before the release time even on a slow machine.
    const releaseAt = new Date(Date.now() + 2_500);
    const scheduled = await sys.post(`/v1/publications/${id}/publish`, publisher, {
      data: { mode: 'scheduled', at: releaseAt.toISOString() },
    });
    expect(scheduled.status).toBe(200);
    const cancelled = await sys.post(`/v1/publications/${id}/cancel-schedule`, publisher, {
      data: { reason: 'hoãn' },
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    // A control article due just after the cancelled one proves the scheduler ran past it.
    const controlAt = new Date(Math.max(releaseAt.getTime(), Date.now()) + 300);
    const controlScheduled = await sys.post(`/v1/publications/${control}/publish`, publisher, {
      data: { mode: 'scheduled', at: controlAt.toISOString() },
    });
    expect(controlScheduled.status, controlScheduled.text).toBe(200);
    expect(
      await waitFor(
        () => statusOf(control),
        (s) => s === 'Published',
      ),
    ).toBe('Published');
    expect(await statusOf(id)).toBe('Approved');
  });
});
