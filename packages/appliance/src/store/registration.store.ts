import type { Database } from 'better-sqlite3';

/** What central gave this appliance at registration. The token is a secret: never log it. */
export interface Registration {
  applianceId: string;
  siteId: string;
  token: string;
  orderSigningPublicKey: string;
  centralUrl: string;
  registeredAt: string;
}

interface RegistrationRow {
  appliance_id: string;
  site_id: string;
  token: string;
  order_signing_public_key: string;
  central_url: string;
  registered_at: string;
}

/** The single registration row (an appliance belongs to one site at a time). */
export function createRegistrationStore(db: Database) {
  const select = db.prepare('SELECT * FROM registration WHERE id = 1');
  const upsert = db.prepare(`
    INSERT INTO registration (id, appliance_id, site_id, token, order_signing_public_key, central_url, registered_at)
    VALUES (1, @applianceId, @siteId, @token, @orderSigningPublicKey, @centralUrl, @registeredAt)
    ON CONFLICT (id) DO UPDATE SET
      appliance_id = excluded.appliance_id, site_id = excluded.site_id, token = excluded.token,
      order_signing_public_key = excluded.order_signing_public_key, central_url = excluded.central_url,
      registered_at = excluded.registered_at`);
  return {
    get(): Registration | null {
      const row = select.get() as RegistrationRow | undefined;
      if (!row) return null;
      return {
        applianceId: row.appliance_id,
        siteId: row.site_id,
        token: row.token,
        orderSigningPublicKey: row.order_signing_public_key,
        centralUrl: row.central_url,
        registeredAt: row.registered_at,
      };
    },
    save(registration: Registration): void {
      upsert.run(registration);
    },
  };
}
