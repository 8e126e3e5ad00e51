import type { KnownBlock, PlainTextOption, View } from '@slack/types';
import { FORM_VERBS, type ResourceKind, VERBS, type Verb } from '../../domain/vocabulary.js';
import { MODAL } from '../ids.js';
import { context } from './text.js';

/** A verb the form offers (`VerbSpec.form`); extend and remove now are for the command and the reminders. */
export type ModalAction = Verb;

/** Everything the modal shows; rebuilt from the view's state on every change. */
export interface ModalModel {
  action: ModalAction;
  kind: ResourceKind;
  project: string;
  environment: string;
  /** The chosen flag or segment key. */
  resource?: string;
  /** Flags, once chosen: their variations, and the one the targets make obvious. */
  variations?: Array<{ index: number; label: string }>;
  variation?: number;
  /** A line under "when": how it was read, or why it can't be. */
  preview?: string;
  /** JSON private_metadata: where to post the result. */
  metadata: string;
  /** A "why" field, for approvers (APPROVERS is set). */
  asksWhy?: boolean;
}

const form = (verb: Verb) => VERBS[verb].form ?? { choice: verb, submit: verb };
const plain = (text: string) => ({ type: 'plain_text' as const, text });
const option = (text: string, value: string): PlainTextOption => ({
  text: plain(clip(text, 75)),
  value: clip(value, 150),
});

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Options for an external select: at most 100, texts within Slack's 75 characters. */
export function selectOptions(items: Array<{ key: string; name: string }>): PlainTextOption[] {
  return items
    .slice(0, 100)
    .map((i) => option(i.name && i.name !== i.key ? `${i.name} (${i.key})` : i.key, i.key));
}

/** The `/expire` form. Block ids stay stable across rebuilds so Slack keeps what was typed. */
export function expireModal(m: ModalModel): View {
  const resourceAction = m.kind === 'flag' ? MODAL.actions.flag : MODAL.actions.segment;
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: MODAL.blocks.action,
      dispatch_action: true,
      label: plain('What to do'),
      element: {
        type: 'radio_buttons',
        action_id: MODAL.actions.action,
        initial_option: option(form(m.action).choice, m.action),
        options: FORM_VERBS.map((a) => option(form(a).choice, a)),
      },
    },
    {
      type: 'input',
      block_id: MODAL.blocks.kind,
      dispatch_action: true,
      label: plain('On a'),
      element: {
        type: 'radio_buttons',
        action_id: MODAL.actions.kind,
        initial_option: option(m.kind === 'flag' ? 'Feature flag' : 'Segment', m.kind),
        options: [option('Feature flag', 'flag'), option('Segment', 'segment')],
      },
    },
    {
      type: 'input',
      block_id: MODAL.blocks.project,
      label: plain('Project'),
      element: {
        type: 'plain_text_input',
        action_id: MODAL.actions.project,
        initial_value: m.project,
        max_length: 100,
      },
    },
    {
      type: 'input',
      block_id: MODAL.blocks.environment,
      label: plain('Environment'),
      element: {
        type: 'external_select',
        action_id: MODAL.actions.environment,
        min_query_length: 0,
        initial_option: option(m.environment, m.environment),
        placeholder: plain('Type to search'),
      },
    },
    {
      type: 'input',
      // A different block id per kind, so a flag picked earlier does not linger as a segment.
      block_id: `${MODAL.blocks.resource}_${m.kind}`,
      dispatch_action: true,
      label: plain(m.kind === 'flag' ? 'Flag' : 'Segment'),
      element: {
        type: 'external_select',
        action_id: resourceAction,
        min_query_length: 0,
        placeholder: plain(`Type part of the ${m.kind}'s name or key`),
        ...(m.resource ? { initial_option: option(m.resource, m.resource) } : {}),
      },
    },
  ];
  if (m.kind === 'flag') {
    if (m.variations?.length) {
      const chosen = m.variations.find((v) => v.index === m.variation);
      blocks.push({
        type: 'input',
        block_id: `${MODAL.blocks.variation}_${m.resource?.slice(0, 200)}`,
        optional: true,
        label: plain('Variation'),
        hint: plain('Needed only for targets that are not individually targeted yet.'),
        element: {
          type: 'static_select',
          action_id: MODAL.actions.variation,
          options: m.variations.slice(0, 100).map((v) => option(v.label, String(v.index))),
          ...(chosen ? { initial_option: option(chosen.label, String(chosen.index)) } : {}),
        },
      });
    } else {
      blocks.push(context('Pick a flag to choose among its variations.'));
    }
  } else {
    blocks.push({
      type: 'input',
      block_id: MODAL.blocks.targetType,
      label: plain('Targets are'),
      element: {
        type: 'radio_buttons',
        action_id: MODAL.actions.targetType,
        initial_option: option('Included', 'included'),
        options: [option('Included', 'included'), option('Excluded', 'excluded')],
      },
    });
  }
  blocks.push({
    type: 'input',
    block_id: MODAL.blocks.targets,
    label: plain('Targets'),
    hint: plain(
      'User keys, or kind:key for other contexts (organization:acme), separated by commas, spaces or new lines.',
    ),
    element: {
      type: 'plain_text_input',
      action_id: MODAL.actions.targets,
      multiline: true,
      max_length: 3000,
    },
  });
  if (VERBS[m.action].takes === 'when') {
    blocks.push(
      {
        type: 'input',
        block_id: MODAL.blocks.when,
        dispatch_action: true,
        label: plain('Expires'),
        hint: plain('In your time zone: "next friday 5pm", "in 2 weeks", "Dec 3 9:30am", "eod".'),
        element: {
          type: 'plain_text_input',
          action_id: MODAL.actions.when,
          max_length: 200,
          dispatch_action_config: { trigger_actions_on: ['on_enter_pressed', 'on_character_entered'] },
        },
      },
      { ...context(m.preview ?? 'Type a time to see how I read it.'), block_id: MODAL.blocks.preview },
    );
  }
  if (VERBS[m.action].op === 'add') {
    blocks.push({
      type: 'input',
      block_id: MODAL.blocks.grant,
      optional: true,
      label: plain('Targeting'),
      element: {
        type: 'checkboxes',
        action_id: MODAL.actions.grant,
        options: [option('Add targets that are missing to targeting first', 'grant')],
      },
    });
  }
  if (m.asksWhy)
    blocks.push({
      type: 'input',
      block_id: MODAL.blocks.reason,
      optional: true,
      label: plain('Why (optional)'),
      hint: plain('Shown to the approvers of an environment that needs approval.'),
      element: { type: 'plain_text_input', action_id: MODAL.actions.reason, max_length: 500 },
    });
  return {
    type: 'modal',
    callback_id: MODAL.callbackId,
    private_metadata: m.metadata,
    title: plain('Expiring targets'),
    submit: plain(form(m.action).submit),
    close: plain('Close'),
    blocks,
  };
}
