import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import {
  LD_APPROVAL_STATES,
  type LdApproval,
  type LdApprovalState,
  ldHeldSchema,
  specifierOf,
} from '../domain/ld-approval.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { Database, LdApprovalsTable } from './schema.js';

function toLdApproval(row: Selectable<LdApprovalsTable>): LdApproval {
  return {
    id: row.id,
    ...ldHeldSchema.parse(JSON.parse(row.held)),
    state: z.enum(LD_APPROVAL_STATES).parse(row.state),
    url: row.url,
    channelId: row.channel_id,
    ...(row.message_ts ? { messageTs: row.message_ts } : {}),
    createdAt: Number(row.created_at),
    nextCheckAt: Number(row.next_check_at),
    ...(row.pending_told_at !== null ? { pendingToldAt: Number(row.pending_told_at) } : {}),
  };
}

/**
 * LaunchDarkly approval requests the bot created and follows. A read is claimed by moving
 * `next_check_at` conditionally (one replica reads a request at a time); a state moves once.
 */
export class LdApprovalStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes a request down; false when it was already (a resumed change found it again). */
  async create(approval: Omit<LdApproval, 'state'>, now: number): Promise<boolean> {
    const { who, request, provenance } = approval;
    const inserted = await this.db
      .insertInto('ld_approvals')
      .values({
        id: approval.id,
        state: 'open',
        resource: specifierOf(request.resource),
        url: approval.url,
        requester_id: who.userId,
        held: JSON.stringify({ who, request, ...(provenance ? { provenance } : {}) }),
        channel_id: approval.channelId,
        message_ts: approval.messageTs ?? null,
        created_at: approval.createdAt,
        next_check_at: approval.nextCheckAt,
        pending_told_at: null,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(id: string): Promise<LdApproval | undefined> {
    const row = await this.db.selectFrom('ld_approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toLdApproval(row);
  }

  /** The message that told of the request: its outcome is said in that thread. */
  async setThread(id: string, channelId: string, messageTs: string): Promise<void> {
    await this.db
      .updateTable('ld_approvals')
      .set({ channel_id: channelId, message_ts: messageTs })
      .where('id', '=', id)
      .where('message_ts', 'is', null)
      .execute();
  }

  /** Open requests whose next read is due, soonest first. */
  async due(now: number, limit = 200): Promise<LdApproval[]> {
    const rows = await this.db
      .selectFrom('ld_approvals')
      .selectAll()
      .where('state', '=', 'open')
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(limit)
      .execute();
    return rows.map(toLdApproval);
  }

  /** Takes the next read of a request until `until`; false when another replica took it first. */
  async claimCheck(approval: LdApproval, until: number): Promise<boolean> {
    const claimed = await this.db
      .updateTable('ld_approvals')
      .set({ next_check_at: until })
      .where('id', '=', approval.id)
      .where('state', '=', 'open')
      .where('next_check_at', '=', approval.nextCheckAt)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) > 0;
  }

  /** Something happened to a resource (a webhook, the audit log): its open requests are read now. */
  async checkSoon(resource: ResourceRef, now: number): Promise<number> {
    const moved = await this.db
      .updateTable('ld_approvals')
      .set({ next_check_at: now })
      .where('resource', '=', specifierOf(resource))
      .where('state', '=', 'open')
      .where('next_check_at', '>', now)
      .executeTakeFirst();
    return Number(moved.numUpdatedRows);
  }

  /** Moves an open request to its outcome; false when it was no longer open (said already). */
  async settle(id: string, state: LdApprovalState, now: number): Promise<boolean> {
    const moved = await this.db
      .updateTable('ld_approvals')
      .set({ state, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) > 0;
  }

  /** Notes that "still pending" was said; true for the one caller that notes it. */
  async markPendingTold(id: string, now: number): Promise<boolean> {
    const marked = await this.db
      .updateTable('ld_approvals')
      .set({ pending_told_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .where('pending_told_at', 'is', null)
      .executeTakeFirst();
    return Number(marked.numUpdatedRows) > 0;
  }

  /** Forgets requests settled before `before` (an open one is followed until it is decided). */
  async prune(before: number): Promise<number> {
    const gone = await this.db
      .deleteFrom('ld_approvals')
      .where('state', '!=', 'open')
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(gone.numDeletedRows);
  }

  /** Open requests: of one resource, of one requester, or all (at most `limit`), oldest first. */
  async open(filter: { resource?: ResourceRef; requesterId?: string }, limit = 200): Promise<LdApproval[]> {
    let query = this.db.selectFrom('ld_approvals').selectAll().where('state', '=', 'open');
    if (filter.resource) query = query.where('resource', '=', specifierOf(filter.resource));
    if (filter.requesterId) query = query.where('requester_id', '=', filter.requesterId);
    const rows = await query.orderBy('created_at').limit(limit).execute();
    return rows.map(toLdApproval);
  }
}
