import type { WebClient } from '@slack/web-api';
import { parseTargets, targetLabel } from '../domain/targets.js';
import { VERBS } from '../domain/vocabulary.js';
import { parseWhen } from '../domain/when.js';
import { servedVariations, variationLabel } from '../services/variations.js';
import type { ModalModel } from './blocks/modal.js';
import { escapeMrkdwn } from './blocks/mrkdwn.js';
import type { ListenerDeps } from './context.js';
import { within } from './lookups.js';
import type { ModalState } from './parse/modal.js';

/** How long the modal waits for LaunchDarkly before showing what it has. */
const LOOKUP_MS = 2_000;

/** The modal as first opened: no I/O at all, so it opens within the trigger's 3 seconds. */
export function initialModel(deps: ListenerDeps, channel: string): ModalModel {
  return {
    action: 'add',
    kind: 'flag',
    project: deps.defaults.project,
    environment: deps.defaults.environment,
    metadata: JSON.stringify({ channel }),
    asksWhy: deps.approvals.configured,
  };
}

/**
 * The modal after a change in it: the chosen flag's variations (preselected when the targets make
 * it obvious) and a preview of how "when" reads.
 */
export async function modelFromState(
  state: ModalState,
  metadata: string,
  ctx: { deps: ListenerDeps; client: WebClient; userId: string },
): Promise<ModalModel> {
  const { deps } = ctx;
  const model: ModalModel = {
    action: state.action,
    kind: state.kind,
    project: state.project ?? deps.defaults.project,
    environment: state.environment ?? deps.defaults.environment,
    resource: state.resource,
    metadata,
    asksWhy: deps.approvals.configured,
  };
  const [flag, preview] = await Promise.all([
    state.kind === 'flag' && state.resource
      ? within(deps.lookups.getFlag(model.project, state.resource, model.environment), LOOKUP_MS)
      : undefined,
    VERBS[state.action].takes === 'when' && state.when ? previewWhen(state.when, ctx) : undefined,
  ]);
  model.preview = preview;
  if (flag) {
    model.variations = flag.variations.map((v, index) => ({ index, label: variationLabel(v) }));
    const served = servedVariations(flag, model.environment);
    const typed = parseTargets(state.targets);
    const ofTargets = typed.ok
      ? typed.targets.map((t) => served.get(targetLabel(t))).filter((v): v is number => v !== undefined)
      : [];
    const candidates = new Set(ofTargets.length > 0 ? ofTargets : served.values());
    model.variation = state.variation ?? (candidates.size === 1 ? [...candidates][0] : undefined);
  }
  return model;
}

async function previewWhen(text: string, ctx: { deps: ListenerDeps; client: WebClient; userId: string }) {
  const timeZone = await ctx.deps.timeZones.of(ctx.client, ctx.userId);
  const when = parseWhen(text, { now: ctx.deps.now(), timeZone });
  return when.ok
    ? `:white_check_mark: ${when.display.local} (${when.display.relative})`
    : `:warning: ${escapeMrkdwn(when.reason)}`;
}
