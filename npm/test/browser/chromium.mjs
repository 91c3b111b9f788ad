// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or $CHROMIUM), driven
// by playwright-core (no browser download), as root, in a fresh profile directory that
// close() removes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/**
 * A new browser context; `close()` ends it and removes its profile. Given `profile` (the
 * `profile` of an earlier launch closed with `close({ keepProfile: true })`), the browser
 * starts again on what the last one left: IndexedDB, localStorage — a browser restart.
 */
export async function launchChromium({ profile: reuse } = {}) {
  const profile = reuse ?? mkdtempSync(join(tmpdir(), 'mqttws-chromium-'));
  let context;
  try {
    // launchPersistentContext is how playwright takes a profile directory of our choosing.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
             '--disable-component-update', '--no-first-run'],
      headless: true,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const close = async ({ keepProfile = false } = {}) => {
    await context.close();
    if (!keepProfile) rmSync(profile, { recursive: true, force: true });
  };
  return { context, close, profile };
}
