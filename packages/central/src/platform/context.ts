import type { Role } from '@osiris/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './db-schema';

/** A database handle or an open transaction: stores accept either. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** Who is acting, as the services see it (no Fastify types past the routes). */
export interface ActorContext {
  actorType: 'user' | 'system' | 'anonymous' | 'appliance';
  actorId: string | null;
  actorLabel: string | null;
  role: Role | null;
  ip: string | null;
  requestId: string | null;
}

export const SYSTEM_ACTOR: ActorContext = {
  actorType: 'system',
  actorId: null,
  actorLabel: 'system',
  role: null,
  ip: null,
  requestId: null,
};
