import type { BlockSuggestion } from '@slack/bolt';
import { RESOURCE_KEY } from '../../../domain/targets.js';
import { selectOptions } from '../../blocks/modal.js';
import type { ListenerDeps } from '../../context.js';
import { MODAL } from '../../ids.js';
import { within } from '../../lookups.js';
import { readModalState } from '../../parse/modal.js';
import type { Router } from '../../router.js';

/** Slack waits 3 s for options; answer with what LaunchDarkly gave by then. */
const ANSWER_WITHIN_MS = 2_500;

/** Typeahead for the modal's environment, flag and segment pickers. */
export function registerPickers(router: Router, deps: ListenerDeps): void {
  const where = (body: BlockSuggestion) => {
    const state = readModalState(body.view?.state?.values);
    const project = state.project && RESOURCE_KEY.test(state.project) ? state.project : deps.defaults.project;
    return {
      project,
      environment: state.environment ?? deps.defaults.environment,
      text: body.value.trim().slice(0, 100),
    };
  };

  router.suggest(MODAL.actions.flag, async ({ ack, body }) => {
    const { project, text } = where(body);
    const flags = await within(deps.lookups.searchFlags(project, text), ANSWER_WITHIN_MS);
    await ack({ options: selectOptions(flags ?? []) });
  });

  router.suggest(MODAL.actions.segment, async ({ ack, body }) => {
    const { project, environment, text } = where(body);
    const segments = await within(deps.lookups.searchSegments(project, environment, text), ANSWER_WITHIN_MS);
    await ack({ options: selectOptions(segments ?? []) });
  });

  router.suggest(MODAL.actions.environment, async ({ ack, body }) => {
    const { project, text } = where(body);
    const environments = (await within(deps.lookups.listEnvironments(project), ANSWER_WITHIN_MS)) ?? [];
    const needle = text.toLowerCase();
    const matching = environments.filter(
      (e) => e.key.toLowerCase().includes(needle) || e.name.toLowerCase().includes(needle),
    );
    await ack({ options: selectOptions(matching) });
  });
}
