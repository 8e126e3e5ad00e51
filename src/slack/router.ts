import type {
  App,
  BlockAction,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { Logger } from '../log.js';

type ActionHandler<A extends BlockAction = BlockAction> = Middleware<SlackActionMiddlewareArgs<A>>;
export type ActionArgs<A extends BlockAction = BlockAction> = Parameters<ActionHandler<A>>[0];
type ViewHandler = Middleware<SlackViewMiddlewareArgs<SlackViewAction>>;
export type ViewArgs = Parameters<ViewHandler>[0];
type OptionsHandler = Middleware<SlackOptionsMiddlewareArgs<'block_suggestion'>>;

/**
 * Block actions, view submissions and option requests, each kind behind one Bolt listener that
 * picks the handler by id. Bolt runs every registered listener's middleware on every request (a
 * few promises and a copy of the arguments each). Same ids, same arguments, same errors as
 * `app.action` & co. Kept for the bench's ack figure: 0.78 ms of CPU per command with it, 1.25 ms
 * with a Bolt listener per button, against 0.73 ms for a bare Bolt app (2026-11-28).
 */
export class Router {
  private readonly actions = new Map<string, ActionHandler>();
  private readonly actionPrefixes: Array<[string, ActionHandler]> = [];
  private readonly views = new Map<string, ViewHandler>();
  private readonly options = new Map<string, OptionsHandler>();

  /**
   * `failed` hears of a button's handler that threw (a store failure, say) after the click was
   * acked: the person is told there, not only the log.
   */
  constructor(app: App, failed?: (args: ActionArgs, error: unknown) => Promise<void>) {
    app.action({ type: 'block_actions' }, async (args) => {
      const id = args.action.action_id;
      const handler =
        this.actions.get(id) ?? this.actionPrefixes.find(([prefix]) => id.startsWith(prefix))?.[1];
      if (!handler) return;
      let acked = false;
      const ack = (async () => {
        acked = true;
        await args.ack();
      }) as typeof args.ack;
      try {
        await handler({ ...args, ack } as ActionArgs);
      } catch (error) {
        if (!acked) await args.ack();
        if (!failed) throw error;
        await failed(args as ActionArgs, error);
      }
    });
    app.view({ type: 'view_submission' }, async (args) => {
      await this.views.get(args.view.callback_id)?.(args);
    });
    app.options({ type: 'block_suggestion' }, async (args) => {
      await this.options.get(args.payload.action_id)?.(args as Parameters<OptionsHandler>[0]);
    });
  }

  /** A block action by its action_id, or every action_id that starts with `{ prefix }`. */
  action<A extends BlockAction = BlockAction>(
    id: string | { prefix: string },
    handler: ActionHandler<A>,
  ): void {
    const h = handler as unknown as ActionHandler;
    if (typeof id === 'string') this.add(this.actions, id, h);
    else this.actionPrefixes.push([id.prefix, h]);
  }

  /**
   * A view submission by its callback_id. With `failed`, a handler that throws is logged as `what`
   * and the view answered with `failed` (the person sees why, not a form that hangs).
   */
  view(
    callbackId: string,
    handler: ViewHandler,
    failed?: { what: string; logger: Logger; answer: (args: ViewArgs) => Promise<unknown> },
  ): void {
    const guarded: ViewHandler = failed
      ? async (args) => {
          try {
            await handler(args);
          } catch (error) {
            failed.logger.error({ err: error }, `${failed.what} could not be taken on`);
            await failed.answer(args);
          }
        }
      : handler;
    this.add(this.views, callbackId, guarded);
  }

  /** An external select's options by its action_id. */
  suggest(actionId: string, handler: OptionsHandler): void {
    this.add(this.options, actionId, handler);
  }

  private add<H>(table: Map<string, H>, id: string, handler: H): void {
    if (table.has(id)) throw new Error(`two handlers for ${id}`);
    table.set(id, handler);
  }
}
