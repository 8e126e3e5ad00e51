import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import {
  APPROVAL_STATES,
  type Approval,
  type ApprovalState,
  type ApprovalVote,
  heldChangeSchema,
  withVote,
} from '../domain/approval.js';
import type { ApprovalsTable, Database } from './schema.js';

const votesSchema = z.array(
  z.object({ userId: z.string(), userName: z.string().optional(), at: z.number() }),
);

function toApproval(row: Selectable<ApprovalsTable>): Approval {
  return {
    id: row.id,
    ...heldChangeSchema.parse(JSON.parse(row.held)),
    state: z.enum(APPROVAL_STATES).parse(row.state),
    approvers: z.array(z.string()).parse(JSON.parse(row.approvers)),
    needed: Number(row.needed),
    votes: votesSchema.parse(JSON.parse(row.votes)),
    channelId: row.channel_id,
    ...(row.message_ts ? { messageTs: row.message_ts } : {}),
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    ...(row.decline_reason ? { declineReason: row.decline_reason } : {}),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    ...(row.reminded_at !== null ? { remindedAt: Number(row.reminded_at) } : {}),
  };
}

/** What became of a vote: counted (and whether it completed the request), or why not. */
export type VoteResult =
  /** `counting`: the votes that count now (of approvers Slack still lists). */
  | { counted: true; approval: Approval; counting: number; enough: boolean }
  | { counted: false; approval: Approval | undefined };

/** How many times a vote is tried again when another vote changed the request meanwhile. */
const VOTE_TRIES = 8;

/**
 * Changes held for approval. Every change of state is a conditional update on the row's state
 * (and `version` for votes): whoever's update goes through acts, so two approvers clicking at
 * once, or two replicas timing a request out, act once.
 */
export class ApprovalStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(approval: Omit<Approval, 'state' | 'votes'>, now: number): Promise<void> {
    const { who, request, provenance } = approval;
    await this.db
      .insertInto('approvals')
      .values({
        id: approval.id,
        state: 'pending',
        requester_id: who.userId,
        channel_id: approval.channelId,
        message_ts: approval.messageTs ?? null,
        held: JSON.stringify({ who, request, ...(provenance ? { provenance } : {}) }),
        approvers: JSON.stringify(approval.approvers),
        needed: approval.needed,
        votes: '[]',
        decided_by: null,
        decline_reason: null,
        created_at: approval.createdAt,
        expires_at: approval.expiresAt,
        reminded_at: null,
        updated_at: now,
        version: 0,
      })
      .execute();
  }

  async get(id: string): Promise<Approval | undefined> {
    const row = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApproval(row);
  }

  /** The request message, once posted (its buttons are how approvers act): the request as it now stands. */
  async setMessage(id: string, channelId: string, messageTs: string): Promise<Approval | undefined> {
    const row = await this.db
      .updateTable('approvals')
      .set({ channel_id: channelId, message_ts: messageTs })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toApproval(row);
  }

  /**
   * Counts `userId`'s yes on a pending request, once; the vote that makes it enough moves it to
   * `approved` in the same update. Votes that race are retried on the newer row.
   */
  async vote(
    id: string,
    vote: ApprovalVote,
    now: number,
    lapsed: ReadonlySet<string> = new Set(),
  ): Promise<VoteResult> {
    for (let attempt = 0; attempt < VOTE_TRIES; attempt++) {
      const row = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
      const approval = row && toApproval(row);
      if (!row || !approval || approval.state !== 'pending') return { counted: false, approval };
      if (approval.votes.some((v) => v.userId === vote.userId)) return { counted: false, approval };
      const { votes, counting, enough } = withVote(approval, vote, lapsed);
      const updated = await this.db
        .updateTable('approvals')
        .set({
          votes: JSON.stringify(votes),
          state: enough ? 'approved' : 'pending',
          updated_at: now,
          version: Number(row.version) + 1,
        })
        .where('id', '=', id)
        .where('version', '=', row.version)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0)
        return {
          counted: true,
          approval: { ...approval, votes, state: enough ? 'approved' : 'pending' },
          counting,
          enough,
        };
    }
    return { counted: false, approval: await this.get(id) };
  }

  /**
   * Moves a request from `from` to `to` (declined, withdrawn, expired, too-late, applied), with
   * who and why; false when it was no longer in `from` (someone else acted first).
   */
  async move(
    id: string,
    from: ApprovalState,
    to: ApprovalState,
    now: number,
    by?: { userId: string; reason?: string },
  ): Promise<boolean> {
    const moved = await this.db
      .updateTable('approvals')
      .set((eb) => ({
        state: to,
        updated_at: now,
        version: eb('version', '+', 1),
        ...(by ? { decided_by: by.userId, decline_reason: by.reason ?? null } : {}),
      }))
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) > 0;
  }

  /** Notes the reminder to approvers at half the timeout; true for the one caller that notes it. */
  async markReminded(id: string, now: number): Promise<boolean> {
    const marked = await this.db
      .updateTable('approvals')
      .set({ reminded_at: now })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where('reminded_at', 'is', null)
      .executeTakeFirst();
    return Number(marked.numUpdatedRows) > 0;
  }

  /** Forgets requests decided before `before` (an open one is never forgotten). */
  async prune(before: number): Promise<number> {
    const gone = await this.db
      .deleteFrom('approvals')
      .where('state', 'not in', ['pending', 'approved'])
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(gone.numDeletedRows);
  }

  /** Pending requests, oldest first: of one channel, of one requester, or all (at most `limit`). */
  async pending(filter: { channelId?: string; requesterId?: string }, limit = 200): Promise<Approval[]> {
    let query = this.db.selectFrom('approvals').selectAll().where('state', '=', 'pending');
    if (filter.channelId) query = query.where('channel_id', '=', filter.channelId);
    if (filter.requesterId) query = query.where('requester_id', '=', filter.requesterId);
    const rows = await query.orderBy('created_at').limit(limit).execute();
    return rows.map(toApproval);
  }

  /** Pending requests whose reminder is due (half their wait gone) or that have expired by `now`. */
  async due(now: number, limit = 500): Promise<Approval[]> {
    const rows = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('state', '=', 'pending')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', now),
          eb.and([
            eb('reminded_at', 'is', null),
            // Half the wait: created_at + (expires_at - created_at) / 2 <= now.
            eb(eb('created_at', '+', eb.ref('expires_at')), '<=', 2 * now),
          ]),
        ]),
      )
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    return rows.map(toApproval);
  }
}
