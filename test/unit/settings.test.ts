import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceSettings } from '../../functions/lib/config.ts';
import {
  booleanSetting,
  numberSetting,
  SETTINGS,
  stringSetting,
} from '../../functions/lib/settings.ts';

const FUNCTIONS = new URL('../../functions/', import.meta.url).pathname;
// Lambda's own variables (region, credentials, runtime): set by Lambda, not by the stack.
const LAMBDA_RUNTIME_VARIABLE = /^(AWS_|_X_AMZN_|LAMBDA_)/;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every `process.env.NAME` / `process.env['NAME']` in functions/, with the file reading it. */
function environmentReads(): { variable: string; file: string }[] {
  return sourceFiles(FUNCTIONS).flatMap((file) =>
    [
      ...readFileSync(file, 'utf8').matchAll(
        /process\.env(?:\.([A-Z0-9_]+)|\[['"]([A-Z0-9_]+)['"]\])/g,
      ),
    ].map((match) => ({ variable: match[1] ?? match[2] ?? '', file: relative(FUNCTIONS, file) })),
  );
}

const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
});

describe('the settings declaration', () => {
  it('declares every environment variable functions/ reads directly', () => {
    // Prepare
    const reads = environmentReads().filter(
      ({ variable }) => !LAMBDA_RUNTIME_VARIABLE.test(variable),
    );

    // Act
    const undeclared = reads
      .filter(({ variable }) => !Object.hasOwn(SETTINGS, variable))
      .map(
        ({ variable, file }) =>
          `functions/${file} reads ${variable}: declare it in SETTINGS (type, default) and SETTING_DOCS (meaning, readBy, setBy) of functions/lib/settings.ts and read it with stringSetting/numberSetting/booleanSetting`,
      );

    // Assess
    expect(undeclared).toEqual([]);
  });

  it('declares only variables some code of functions/ (or Node, or Powertools) reads', () => {
    // Prepare
    const sources = sourceFiles(FUNCTIONS)
      .filter((file) => !file.endsWith('lib/settings.ts'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const readOutsideOurCode = new Set(['POWERTOOLS_LOG_LEVEL']);

    // Act
    const unread = Object.keys(SETTINGS)
      .filter(
        (name) =>
          !readOutsideOurCode.has(name) &&
          !sources.includes(`'${name}'`) &&
          !sources.includes(`.${name}`),
      )
      .map(
        (name) =>
          `${name} is declared in functions/lib/settings.ts but nothing in functions/ reads it: remove it from SETTINGS, then run node scripts/configuration-table.ts`,
      );

    // Assess
    expect(unread).toEqual([]);
  });

  it('gives the declared defaults when nothing is set', () => {
    // Prepare
    for (const name of Object.keys(SETTINGS)) delete process.env[name];

    // Act
    const settings = serviceSettings();

    // Assess
    expect(settings).toEqual({
      volumesTable: SETTINGS.VOLUMES_TABLE.default,
      allowRootPosixUser: false,
      kmsKeyId: undefined,
      namespaceNetworkIsolation: false,
      mountTargetFirstWaitSeconds: SETTINGS.MOUNT_TARGET_FIRST_WAIT_SECONDS.default,
      mountTargetDnsDelaySeconds: SETTINGS.MOUNT_TARGET_DNS_DELAY_SECONDS.default,
      mountTargetPollSeconds: SETTINGS.MOUNT_TARGET_POLL_SECONDS.default,
      mountTargetLookAheadSeconds: SETTINGS.MOUNT_TARGET_LOOK_AHEAD_SECONDS.default,
      mountTargetLookIntervalSeconds: SETTINGS.MOUNT_TARGET_LOOK_INTERVAL_SECONDS.default,
      mountTargetMaxChecks: SETTINGS.MOUNT_TARGET_MAX_CHECKS.default,
      claimPollSeconds: SETTINGS.CLAIM_POLL_SECONDS.default,
      claimMaxChecks: SETTINGS.CLAIM_MAX_CHECKS.default,
      eventBusName: 'default',
      verifyMount: false,
      mountCheck: {
        image: SETTINGS.VERIFY_MOUNT_IMAGE.default,
        timeoutSeconds: SETTINGS.VERIFY_MOUNT_TIMEOUT_SECONDS.default,
        pollSeconds: SETTINGS.VERIFY_MOUNT_POLL_SECONDS.default,
        cpu: SETTINGS.VERIFY_MOUNT_CPU.default,
        memory: SETTINGS.VERIFY_MOUNT_MEMORY.default,
      },
    });
  });

  it('reads set values, an empty one as unset', () => {
    // Prepare
    process.env.CLAIM_POLL_SECONDS = '5';
    process.env.ALLOW_ROOT_POSIX_USER = 'true';
    process.env.EVENT_BUS_NAME = '';
    process.env.STACK_NAME = 'Prod';

    // Act
    const read = {
      poll: numberSetting('CLAIM_POLL_SECONDS'),
      root: booleanSetting('ALLOW_ROOT_POSIX_USER'),
      bus: stringSetting('EVENT_BUS_NAME'),
      stack: stringSetting('STACK_NAME'),
    };

    // Assess
    expect(read).toEqual({ poll: 5, root: true, bus: 'default', stack: 'Prod' });
  });

  it.each(['-1', 'ten', 'Infinity'])('refuses %s for a number setting, naming it', (raw) => {
    // Prepare
    process.env.MOUNT_TARGET_POLL_SECONDS = raw;

    // Act
    const read = () => numberSetting('MOUNT_TARGET_POLL_SECONDS');

    // Assess
    expect(read).toThrow(`MOUNT_TARGET_POLL_SECONDS must be a non-negative number, got "${raw}"`);
  });
});
