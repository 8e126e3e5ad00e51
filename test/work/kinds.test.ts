import { describe, expect, it } from 'vitest';
import { JOB_HANDLERS } from '../../src/slack/listeners/jobs.js';
import { JOB_KINDS } from '../../src/work/kinds.js';

describe('job kinds', () => {
  it('keeps every stored name: a job written before a deploy still finds its handler after it', () => {
    // Names already in jobs tables; add new ones, never change or drop these.
    expect(Object.values(JOB_KINDS).sort()).toEqual(
      [
        'approval-apply',
        'approval-decision',
        'approval-vote',
        'command',
        'confirmed',
        'confirmed-form',
        'extend',
        'form',
        'launchdarkly-approval',
        'launchdarkly-review',
        'launchdarkly-webhook',
        'reminder-button',
        'unwatch',
        'watch',
      ].sort(),
    );
  });

  it('has a handler for every kind and no handler for a kind it does not name', () => {
    expect(Object.keys(JOB_HANDLERS).sort()).toEqual(Object.values(JOB_KINDS).sort());
  });
});
