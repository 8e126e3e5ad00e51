/**
 * The words of the domain, declared once: what can be changed (flags and segments, in one
 * project and environment), how a target is held (a flag's variation, a segment's included or
 * excluded list), and every verb a person can ask for, with what it needs and how it reads.
 * Parsers, builders and services all take their words from here.
 */

export const RESOURCE_KINDS = ['flag', 'segment'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const TARGET_TYPES = ['included', 'excluded'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** A flag or segment in one environment. */
export interface ResourceRef {
  kind: ResourceKind;
  projectKey: string;
  key: string;
  environmentKey: string;
}

/** LaunchDarkly's three expiring-target instructions. */
export type ExpiryOp = 'add' | 'update' | 'remove';

export interface VerbSpec {
  /** What follows the targets: an instant ("next friday 5pm"), a duration ("2 days") or nothing. */
  takes: 'when' | 'duration' | 'nothing';
  /** The instruction sent: `add` schedules a new expiry, the others act on the one scheduled. */
  op: ExpiryOp;
  /** Also takes the targets out of targeting at once ("Remove now"). */
  revokes?: true;
  words: {
    /** "Scheduling 2 targets on flag x…" */
    doing: string;
    /** "@alice scheduled 2 targets on flag x" */
    done: string;
    /** "Nothing scheduled on flag x" */
    none: string;
    /** "Scheduled: sandy, bob" */
    listed: string;
    /** "Do you want to schedule the expiry of sandy…?" */
    asks: string;
  };
  /** The grammar `/expire` offers for it, shown by `/expire help`; absent when only buttons ask for it. */
  usage?: string[];
  /** Offered by the `/expire` form: its choice in the form's menu and its submit button. */
  form?: { choice: string; submit: string };
  /** Said after "no expiry scheduled on x" when the verb needs one (update: "use add to schedule one"). */
  whenNoneScheduled?: string;
  /**
   * Offered on each expiry the bot shows (a reminder's buttons, the Home tab's menu) and done at
   * once on it, for verbs that take nothing: its label, what it does to `target` of `resource`
   * (said before a click that `warns` goes through), and whether it takes access away.
   */
  onExpiry?: { label: string; does: (target: string, resource: string) => string; warns?: true };
}

/** Every verb, in the order help lists them. */
export const VERB_NAMES = ['add', 'update', 'extend', 'remove', 'revoke'] as const;
export type Verb = (typeof VERB_NAMES)[number];

export const VERBS: Record<Verb, VerbSpec> = {
  add: {
    takes: 'when',
    op: 'add',
    words: {
      doing: 'Scheduling',
      done: 'scheduled',
      none: 'scheduled',
      listed: 'Scheduled',
      asks: 'schedule the expiry of',
    },
    usage: [
      '[add] flag <flag> <targets> <when> [options]',
      '[add] segment <segment> <targets> <when> [options]',
    ],
    form: { choice: 'Schedule an expiry', submit: 'Schedule' },
  },
  update: {
    takes: 'when',
    op: 'update',
    words: {
      doing: 'Rescheduling',
      done: 'rescheduled',
      none: 'rescheduled',
      listed: 'Rescheduled',
      asks: 'move the expiry of',
    },
    usage: ['update flag|segment <key> <targets> <when> [options]'],
    form: { choice: 'Move an expiry', submit: 'Move' },
    whenNoneScheduled: 'use add to schedule one',
  },
  extend: {
    takes: 'duration',
    op: 'update',
    words: {
      doing: 'Extending',
      done: 'extended',
      none: 'extended',
      listed: 'Extended',
      asks: 'move later the expiry of',
    },
    usage: ['extend flag|segment <key> <targets> <duration> [options]  — e.g. "2 days", "+36h"'],
  },
  remove: {
    takes: 'nothing',
    op: 'remove',
    words: {
      doing: 'Cancelling',
      done: 'cancelled the expiry of',
      none: 'cancelled',
      listed: 'No longer expiring',
      asks: 'cancel the expiry of',
    },
    usage: ['remove flag|segment <key> <targets> [options]'],
    form: { choice: 'Cancel an expiry', submit: 'Cancel expiry' },
    onExpiry: { label: 'Cancel expiry', does: (target, resource) => `keeps ${target} in ${resource}` },
  },
  revoke: {
    takes: 'nothing',
    op: 'remove',
    revokes: true,
    words: {
      doing: 'Removing',
      done: 'removed now',
      none: 'removed',
      listed: 'Removed now',
      asks: 'remove at once',
    },
    onExpiry: {
      label: 'Remove now',
      does: (target, resource) => `takes ${target} out of ${resource} right away`,
      warns: true,
    },
  },
};

/** Verbs the `/expire` command offers, in the order help lists them. */
export const COMMAND_VERBS = VERB_NAMES.filter((v) => VERBS[v].usage !== undefined);

/** Verbs done at once on an expiry the bot shows (reminders, Home), in the order they are offered. */
export const EXPIRY_VERBS = VERB_NAMES.filter((v) => VERBS[v].onExpiry !== undefined) as [Verb, ...Verb[]];

/** Verbs the `/expire` form offers, in the order its menu lists them. */
export const FORM_VERBS = VERB_NAMES.filter((v) => VERBS[v].form !== undefined) as [Verb, ...Verb[]];
