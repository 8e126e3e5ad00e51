import type { App } from '@slack/bolt';
import { auditComment } from '../../../domain/comment.js';
import { parseTargets, RESOURCE_KEY, targetLabel } from '../../../domain/targets.js';
import { parseWhen } from '../../../domain/when.js';
import { LdNotFoundError } from '../../../launchdarkly/errors.js';
import type { ChangeRequest } from '../../../services/change.js';
import { LD_MESSAGES } from '../../../services/ld-errors.js';
import { confirmView } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { authorize, holdForConfirmation, isProtected } from '../../guard.js';
import { MODAL } from '../../ids.js';
import { within } from '../../lookups.js';
import { parseJson } from '../../parse/json.js';
import { modalMetadata, readModalState } from '../../parse/modal.js';
import { performChange } from '../../perform-change.js';

export const MODAL_ERRORS = {
  stale: 'This form is out of date. Close it and run /expire again.',
  chooseResource: (kind: string) => `Choose a ${kind}.`,
  project: 'Not a LaunchDarkly project key (letters, digits, ".", "-", "_").',
};

/** Submission of the `/expire` modal: every problem inline on its field, then the same work as the command. */
export function registerModal(app: App, deps: ListenerDeps): void {
  app.view(MODAL.callbackId, async ({ ack, view, body, client }) => {
    const meta = parseJson(modalMetadata, view.private_metadata);
    const state = readModalState(view.state.values);
    const resourceBlock = `${MODAL.blocks.resource}_${state.kind}`;
    if (!meta) {
      await ack({ response_action: 'errors', errors: { [MODAL.blocks.targets]: MODAL_ERRORS.stale } });
      return;
    }
    const errors: Record<string, string> = {};
    const project = state.project ?? deps.defaults.project;
    const environment = state.environment ?? deps.defaults.environment;
    if (!RESOURCE_KEY.test(project)) errors[MODAL.blocks.project] = MODAL_ERRORS.project;
    if (!state.resource) errors[resourceBlock] = MODAL_ERRORS.chooseResource(state.kind);
    const targets = parseTargets(state.targets);
    if (!targets.ok) errors[MODAL.blocks.targets] = targets.problem;
    let expiresAt: number | undefined;
    if (state.action !== 'remove') {
      const timeZone = await deps.timeZones.of(client, body.user.id);
      const when = parseWhen(state.when, { now: deps.now(), timeZone });
      if (when.ok) expiresAt = when.ms;
      else errors[MODAL.blocks.when] = when.reason;
    }
    if (Object.keys(errors).length === 0 && state.resource) {
      const ref = { kind: state.kind, projectKey: project, key: state.resource, environmentKey: environment };
      const lookup =
        state.kind === 'flag'
          ? deps.lookups.getFlag(project, state.resource, environment)
          : deps.ld.getSegment(project, environment, state.resource);
      const missing = await within(
        lookup.then(
          () => false,
          (error) => error instanceof LdNotFoundError,
        ),
        1_500,
      );
      if (missing) errors[resourceBlock] = LD_MESSAGES.notFound(ref);
    }
    const resource = {
      kind: state.kind,
      projectKey: project,
      key: state.resource ?? '',
      environmentKey: environment,
    };
    if (Object.keys(errors).length === 0) {
      const allowed = await authorize(resource, { client, userId: body.user.id, deps });
      if (!allowed.ok) errors[MODAL.blocks.environment] = allowed.message;
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors: truncate(errors) });
      return;
    }

    const targetList = targets.ok ? targets.targets : [];
    const request: ChangeRequest = {
      verb: state.action,
      resource,
      targets: targetList,
      expiresAt,
      variation: state.variation === undefined ? undefined : String(state.variation),
      targetType: state.targetType,
      grant: state.grant,
      comment: auditComment(
        { userId: body.user.id, userName: body.user.name, teamDomain: body.team?.domain },
        `/expire form: ${state.action} ${state.kind} ${state.resource} ${targetList.map(targetLabel).join(',')} ${state.when}`,
      ),
    };
    if (await isProtected(resource, deps)) {
      const id = await holdForConfirmation(request, { userId: body.user.id, channel: meta.channel, deps });
      await ack({ response_action: 'push', view: confirmView(id, request) });
      return;
    }
    await ack();
    // The same submission delivered twice is applied once.
    if (!(await deps.safetyStore.once(`view:${view.id}:${view.hash}`, deps.now().getTime()))) return;
    await deps.work.run(() =>
      performChange(request, {
        client,
        channel: meta.channel,
        userId: body.user.id,
        // No response_url comes with a modal: where the channel refuses the bot, tell the person directly.
        fallback: (message) => client.chat.postMessage({ channel: body.user.id, ...message }),
        deps,
      }),
    );
  });
}

function truncate(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([k, v]) => [k, v.length > 2000 ? `${v.slice(0, 1999)}…` : v]),
  );
}
