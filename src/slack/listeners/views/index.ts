import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../context.js';
import { registerConfirm } from './confirm.js';
import { registerExtend } from './extend.js';
import { registerModal } from './modal.js';

export function register(app: App, deps: ListenerDeps): void {
  registerExtend(app, deps);
  registerModal(app, deps);
  registerConfirm(app, deps);
}
