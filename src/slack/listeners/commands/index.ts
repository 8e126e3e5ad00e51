import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../context.js';
import { COMMAND } from '../../ids.js';
import { COMMAND_JOB, commandJob } from './change.js';
import { expireCommand } from './expire.js';
import { unwatchJob } from './unwatch.js';
import { UNWATCH_JOB, WATCH_JOB, watchJob } from './watch.js';

export function register(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, expireCommand(deps));
  deps.work.handle(COMMAND_JOB, commandJob(deps));
  deps.work.handle(WATCH_JOB, watchJob(deps));
  deps.work.handle(UNWATCH_JOB, unwatchJob(deps));
}
