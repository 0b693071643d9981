/**
 * The syndication service's own settings, from the environment, decoded by one codec:
 * STREAM_MAX_CLIENTS (default 5000), STREAM_HEARTBEAT_MS (15000), STREAM_POLL_MS (50),
 * SYNDICATION_LOCATED (ninjs `located`, default Hải Phòng), FEED_TITLE (the portal's name),
 * PUBLIC_BASE_URL (the origin feeds link to; set it behind a proxy or a shared cache),
 * WEBHOOK_ALLOW_PRIVATE_URLS (false; true lets receivers on loopback and private networks,
 * for development and tests), WEBHOOK_RETRY_SCHEDULE_MS (the Standard Webhooks schedule),
 * WEBHOOK_TIMEOUT_MS (10000), WEBHOOK_ROTATION_GRACE_MS (24 h); PUBLIC_TOPIC (true|false, default
 * true with TRANSPORT=kafka: send the syndication log to SYNDICATION_TOPIC, default
 * newsroom.syndication.v1).
 */
import * as t from 'io-ts';
import {
  decodeEnvironment,
  intFromString,
  settingsOrExit,
  TopicNameFromString,
} from '@newsroom/service-kit';

const Schedule = new t.Type<readonly number[], string, unknown>(
  'RetrySchedule',
  (u): u is readonly number[] => Array.isArray(u),
  (u, c) => {
    const parts = typeof u === 'string' ? u.split(',').map((p) => p.trim()) : [];
    const ok = parts.length >= 1 && parts.length <= 20 && parts.every((p) => /^\d{1,9}$/.test(p));
    return ok ? t.success(parts.map(Number)) : t.failure(u, c, 'comma-separated delays in ms');
  },
  (a) => a.join(','),
);

const Flag = t.keyof({ true: null, false: null });

export const SyndicationEnvironment = t.partial({
  STREAM_MAX_CLIENTS: intFromString('StreamMaxClients', 1, 1_000_000),
  STREAM_HEARTBEAT_MS: intFromString('StreamHeartbeatMs', 100, 3_600_000),
  STREAM_POLL_MS: intFromString('StreamPollMs', 5, 60_000),
  SYNDICATION_LOCATED: t.string,
  FEED_TITLE: t.string,
  WEBHOOK_ALLOW_PRIVATE_URLS: Flag,
  WEBHOOK_RETRY_SCHEDULE_MS: Schedule,
  WEBHOOK_TIMEOUT_MS: intFromString('WebhookTimeoutMs', 100, 600_000),
  WEBHOOK_ROTATION_GRACE_MS: intFromString('WebhookRotationGraceMs', 0, 30 * 86_400_000),
  SYNDICATION_TOPIC: TopicNameFromString,
  PUBLIC_TOPIC: Flag,
  PUBLIC_BASE_URL: new t.Type<string, string, unknown>(
    'BaseUrl',
    (u): u is string => typeof u === 'string',
    (u, c) =>
      typeof u === 'string' && /^https?:\/\/[^/?#\s]+$/.test(u)
        ? t.success(u)
        : t.failure(u, c, 'an http(s) origin with no path, e.g. https://news.example.gov.vn'),
    String,
  ),
  TRANSPORT: t.string,
});

/** The Standard Webhooks retry schedule: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const STANDARD_RETRY_SCHEDULE_MS: readonly number[] = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];

export interface SyndicationConfig {
  readonly stream: {
    readonly maxClients: number;
    readonly heartbeatMs: number;
    readonly pollMs: number;
  };
  readonly located: string;
  readonly feedTitle: string;
  /** The origin feed links are built on; unset: the origin each request came to. */
  readonly publicBaseUrl: string | undefined;
  /** The public topic, when the process sends to it (PUBLIC_TOPIC, default: with TRANSPORT=kafka). */
  readonly publicTopic: string | undefined;
  readonly webhooks: {
    readonly allowPrivateUrls: boolean;
    readonly retryScheduleMs: readonly number[];
    readonly timeoutMs: number;
    readonly rotationGraceMs: number;
  };
}

/** The settings, or every variable that is wrong, in one error. */
export const syndicationConfig = (
  env: Readonly<Record<string, string | undefined>>,
): SyndicationConfig => {
  const e = decodeEnvironment(SyndicationEnvironment, env);
  return {
    stream: {
      maxClients: e.STREAM_MAX_CLIENTS ?? 5_000,
      heartbeatMs: e.STREAM_HEARTBEAT_MS ?? 15_000,
      pollMs: e.STREAM_POLL_MS ?? 50,
    },
    located: e.SYNDICATION_LOCATED ?? 'Hải Phòng',
    publicTopic:
      (e.PUBLIC_TOPIC ?? (e.TRANSPORT === 'kafka' ? 'true' : 'false')) === 'true'
        ? (e.SYNDICATION_TOPIC ?? 'newsroom.syndication.v1')
        : undefined,
    feedTitle: e.FEED_TITLE ?? 'Cổng thông tin điện tử thành phố Hải Phòng',
    publicBaseUrl: e.PUBLIC_BASE_URL,
    webhooks: {
      allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS === 'true',
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE_MS ?? STANDARD_RETRY_SCHEDULE_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS ?? 10_000,
      rotationGraceMs: e.WEBHOOK_ROTATION_GRACE_MS ?? 86_400_000,
    },
  };
};

/** The settings of a process's environment; on an invalid one, the error logged and exit 1. */
export const syndicationConfigOrExit = (
  env: Readonly<Record<string, string | undefined>>,
): SyndicationConfig => settingsOrExit(() => syndicationConfig(env));
