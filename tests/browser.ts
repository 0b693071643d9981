/**
 * Debian's Chromium for the browser tests, driven by playwright-core (a test tool's own
 * browser download cannot work here): headless, with nothing of its own reaching the network.
 */
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const launchChromium = (extraArgs: readonly string[] = []): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
