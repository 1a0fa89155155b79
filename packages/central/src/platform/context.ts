import type { UserRole } from '@osiris/protocol';
import type { Principal } from './access';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './db-schema';

/** A database handle or an open transaction: stores accept either. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** Who is acting, as the services see it (no Fastify types past the routes). */
export interface ActorContext {
  actorType: 'user' | 'system' | 'anonymous' | 'appliance' | 'api_key';
  actorId: string | null;
  actorLabel: string | null;
  role: UserRole | null;
  /** What the caller may reach; null for anonymous callers, appliances and the system. */
  principal: Principal | null;
  ip: string | null;
  requestId: string | null;
}

export const SYSTEM_ACTOR: ActorContext = {
  actorType: 'system',
  actorId: null,
  actorLabel: 'system',
  role: null,
  principal: null,
  ip: null,
  requestId: null,
};
