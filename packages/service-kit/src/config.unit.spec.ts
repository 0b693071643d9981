import express from 'express';
import { createHttpServer } from './http-server.js';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVELOPMENT_JWT_SECRET,
  Environment,
  environmentProblems,
  loadConfig,
  loadDotEnv,
} from './config.js';

const secret = 'a-secret-of-at-least-thirty-two-characters';

describe('loadConfig', () => {
  it('uses the development secret only on a loopback address', () => {
    expect(loadConfig({}).auth).toEqual({ kind: 'hs256', secret: DEVELOPMENT_JWT_SECRET });
    expect(loadConfig({}).usingDevelopmentSecret).toBe(true);
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/development secret is public/);
    expect(loadConfig({ HOST: '0.0.0.0', JWT_SECRET: secret }).auth).toEqual({
      kind: 'hs256',
      secret,
    });
  });

  it('requires a key in production and refuses a short secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/production/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/at least 32/);
  });

  it('with a JWKS, requires the issuer and audience tokens must name', () => {
    expect(() => loadConfig({ JWKS_URL: 'https://id.example/jwks' })).toThrow(/JWT_ISSUER/);
    expect(
      loadConfig({
        JWKS_URL: 'https://id.example/jwks',
        JWT_ISSUER: 'idp',
        JWT_AUDIENCE: 'newsroom',
      }).auth,
    ).toEqual({
      kind: 'jwks',
      jwksUrl: 'https://id.example/jwks',
      issuer: 'idp',
      audience: 'newsroom',
    });
  });

  it('names an invalid variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(loadConfig({ PORT: '9000' }).port).toBe(9000);
  });

  it('reads the seal interval and server limits, refusing values setInterval cannot take', () => {
    const config = loadConfig({
      SEAL_INTERVAL_MS: '5000',
      REQUEST_TIMEOUT_MS: '1000',
      MAX_CONNECTIONS: '8',
    });
    expect(config.sealIntervalMs).toBe(5000);
    expect(config.serverLimits).toMatchObject({ requestTimeoutMs: 1000, maxConnections: 8 });
    expect(() => loadConfig({ SEAL_INTERVAL_MS: '3000000000' })).toThrow(/SEAL_INTERVAL_MS/);
    expect(() => loadConfig({ MAX_CONNECTIONS: '0' })).toThrow(/MAX_CONNECTIONS/);
  });

  it('a request timeout below the headers timeout still makes a server', () => {
    const server = createHttpServer(
      express(),
      loadConfig({ REQUEST_TIMEOUT_MS: '1000' }).serverLimits,
    );
    expect(server.headersTimeout).toBe(1000);
    server.close();
  });

  it('reads the transport and its topic, and refuses kafka without a PostgreSQL server', () => {
    expect(loadConfig({}).transport).toBe('embedded');
    const kafka = loadConfig({
      TRANSPORT: 'kafka',
      DATABASE_URL: 'postgres://x@127.0.0.1/db',
      ARTICLE_EVENTS_TOPIC: 'e2e.topic-1',
    });
    expect([kafka.transport, kafka.articleEventsTopic]).toEqual(['kafka', 'e2e.topic-1']);
    expect(() => loadConfig({ TRANSPORT: 'kafka' })).toThrow(/needs DATABASE_URL/);
    expect(() => loadConfig({ TRANSPORT: 'rabbit' })).toThrow(/TRANSPORT/);
    expect(() => loadConfig({ ARTICLE_EVENTS_TOPIC: 'a topic' })).toThrow(/ARTICLE_EVENTS_TOPIC/);
  });
});

describe('the environment, as a process reads it at start', () => {
  it('names every wrong variable at once, with what it must be, and never its value', () => {
    const problems = environmentProblems(Environment, {
      PORT: '70000',
      SEAL_INTERVAL_MS: '5',
      TRANSPORT: 'rabbit',
      DATABASE_URL: 'postgres://u:hunter2@db/x',
      HOST: '',
    });
    expect(problems).toEqual([
      'PORT must be a port number 0-65535',
      'SEAL_INTERVAL_MS must be a whole number 100..86400000',
      'TRANSPORT must be "embedded" | "kafka"',
    ]);
    expect(() => loadConfig({ PORT: 'x', STANDBY_POLL_MS: '1' })).toThrow(
      'invalid environment: PORT must be a port number 0-65535; STANDBY_POLL_MS must be a whole number 10..60000',
    );
    expect(environmentProblems(Environment, { PORT: '8080', HOST: '' })).toEqual([]);
  });

  it('fills what is unset from .env (or ENV_FILE), and what is set wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    writeFileSync(
      join(dir, '.env'),
      '# a comment\nPORT=9000\nHOST=127.0.0.1\nFEED_TITLE="Cổng TTĐT"\n',
    );
    const env: Record<string, string | undefined> = { PORT: '8080', HOST: '' };
    expect(loadDotEnv(env, dir)).toBe(join(dir, '.env'));
    expect(env).toEqual({ PORT: '8080', HOST: '127.0.0.1', FEED_TITLE: 'Cổng TTĐT' });

    writeFileSync(join(dir, 'other.env'), 'PORT=9001\n');
    const named: Record<string, string | undefined> = { ENV_FILE: 'other.env' };
    expect(loadDotEnv(named, dir)).toBe(join(dir, 'other.env'));
    expect(named['PORT']).toBe('9001');
    expect(() => loadDotEnv({ ENV_FILE: 'missing.env' }, dir)).toThrow(/ENV_FILE: no file at/);
    expect(loadDotEnv({}, mkdtempSync(join(tmpdir(), 'no-dotenv-')))).toBeUndefined();
  });
});
