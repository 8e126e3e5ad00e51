import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../context.js';
import { COMMAND } from '../../ids.js';
import { expireCommand } from './expire.js';

export function register(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, expireCommand(deps));
}
