import type { ListenerDeps } from '../../context.js';
import type { Router } from '../../router.js';
import { registerApprovalButtons } from './approval-buttons.js';
import { registerCancelConfirm } from './cancel-confirm.js';
import { registerConfirm } from './confirm.js';
import { registerHomeMenu } from './home-menu.js';
import { registerLdReviewButtons } from './ld-review-buttons.js';
import { registerLinkButton } from './link-button.js';
import { registerListPage } from './list-page.js';
import { registerModal } from './modal.js';
import { registerReminderButtons } from './reminder-buttons.js';
import { registerReminderExtend } from './reminder-extend.js';

export function register(router: Router, deps: ListenerDeps): void {
  registerReminderButtons(router, deps);
  registerReminderExtend(router, deps);
  registerHomeMenu(router, deps);
  registerListPage(router, deps);
  registerConfirm(router, deps);
  registerCancelConfirm(router, deps);
  registerModal(router, deps);
  registerApprovalButtons(router, deps);
  registerLdReviewButtons(router, deps);
  registerLinkButton(router);
}
