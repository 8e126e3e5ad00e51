import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../context.js';
import { registerHomeOpened } from './home-opened.js';

export function register(app: App, deps: ListenerDeps): void {
  registerHomeOpened(app, deps);
}
