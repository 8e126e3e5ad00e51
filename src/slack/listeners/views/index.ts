import type { ListenerDeps } from '../../context.js';
import type { Router } from '../../router.js';
import { registerConfirm } from './confirm.js';
import { registerDecline } from './decline.js';
import { registerExtend } from './extend.js';
import { registerModal } from './modal.js';

export function register(router: Router, deps: ListenerDeps): void {
  registerExtend(router, deps);
  registerModal(router, deps);
  registerConfirm(router, deps);
  registerDecline(router, deps);
}
