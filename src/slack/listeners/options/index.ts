import type { ListenerDeps } from '../../context.js';
import type { Router } from '../../router.js';
import { registerPickers } from './pickers.js';

export function register(router: Router, deps: ListenerDeps): void {
  registerPickers(router, deps);
}
