import { z } from 'zod';
import { FORM_VERBS, RESOURCE_KINDS, type ResourceKind, type TargetType } from '../../domain/vocabulary.js';
import type { ModalAction } from '../blocks/modal.js';
import { MODAL } from '../ids.js';

const element = z.object({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
});
const stateValues = z.record(z.string(), z.record(z.string(), element));

export interface ModalState {
  action: ModalAction;
  kind: ResourceKind;
  project?: string;
  environment?: string;
  resource?: string;
  variation?: number;
  targetType: TargetType;
  targets: string;
  when: string;
  grant: boolean;
  /** Why, for approvers; empty when not given. */
  reason: string;
}

/** Where the modal was opened: its result goes there. */
export const modalMetadata = z.object({ channel: z.string().regex(/^[CDG][A-Z0-9]{1,31}$/) });

/**
 * Reads the modal's `view.state.values` (untrusted: validated, never cast). Unknown or missing
 * fields fall back to the form's defaults; validation of the content is the submission's job.
 */
export function readModalState(values: unknown): ModalState {
  const parsed = stateValues.safeParse(values ?? {});
  const state = parsed.success ? parsed.data : {};
  const field = (blockPrefix: string, actionId: string) => {
    const block = Object.entries(state).find(
      ([id]) => id === blockPrefix || id.startsWith(`${blockPrefix}_`),
    );
    return block?.[1][actionId];
  };
  const selected = (blockPrefix: string, actionId: string) =>
    field(blockPrefix, actionId)?.selected_option?.value;
  const text = (blockPrefix: string, actionId: string) => field(blockPrefix, actionId)?.value ?? '';

  const action = z.enum(FORM_VERBS).catch('add').parse(selected(MODAL.blocks.action, MODAL.actions.action));
  const kind = z.enum(RESOURCE_KINDS).catch('flag').parse(selected(MODAL.blocks.kind, MODAL.actions.kind));
  const resourceAction = kind === 'flag' ? MODAL.actions.flag : MODAL.actions.segment;
  const variation = Number.parseInt(selected(MODAL.blocks.variation, MODAL.actions.variation) ?? '', 10);
  return {
    action,
    kind,
    project: text(MODAL.blocks.project, MODAL.actions.project).trim() || undefined,
    environment: selected(MODAL.blocks.environment, MODAL.actions.environment),
    resource: selected(`${MODAL.blocks.resource}_${kind}`, resourceAction),
    variation: Number.isInteger(variation) ? variation : undefined,
    targetType:
      selected(MODAL.blocks.targetType, MODAL.actions.targetType) === 'excluded' ? 'excluded' : 'included',
    targets: text(MODAL.blocks.targets, MODAL.actions.targets),
    when: text(MODAL.blocks.when, MODAL.actions.when).trim(),
    grant: (field(MODAL.blocks.grant, MODAL.actions.grant)?.selected_options ?? []).some(
      (o) => o.value === 'grant',
    ),
    reason: text(MODAL.blocks.reason, MODAL.actions.reason).trim().slice(0, 500),
  };
}
