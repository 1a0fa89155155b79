import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type {
  EvidenceChainReport,
  EvidenceRecord,
  LatestResult,
  OrderCreateRequest,
  OrderRecord,
} from '@osiris/protocol';
import type { Config } from '../config';
import { type Backend, type Caller, startTestApp, type TestApp } from './test-app';

/**
 * A real Central Command listening on a loopback port, with a signed-in admin, for tests that run
 * an appliance (in-process or as its own process) against it over HTTP.
 */
export async function startCentralServer(backend: Backend, overrides: Partial<Config> = {}) {
  const t: TestApp = await startTestApp(backend, overrides);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const admin: Caller = await t.loginAs('admin');

  async function call<T>(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<T> {
    const response = await admin.request({ method, url: path, ...(payload === undefined ? {} : { payload }) });
    if (response.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${response.body}`);
    return response.json() as T;
  }

  return {
    t,
    url,
    admin,
    call,
    /** A new partner → practice → site; returns their ids. */
    async createSite(name = `site-${randomBytes(3).toString('hex')}`) {
      const slug = `msp-${randomBytes(4).toString('hex')}`;
      const partner = await call<{ id: string }>('POST', '/v1/partners', { name: `MSP ${slug}`, slug });
      const practice = await call<{ id: string }>('POST', '/v1/practices', {
        partnerId: partner.id,
        name: `Clinic ${name}`,
      });
      const site = await call<{ id: string }>('POST', '/v1/sites', { practiceId: practice.id, name });
      return { partnerId: partner.id, practiceId: practice.id, siteId: site.id };
    },
    async provisionCode(siteId: string): Promise<string> {
      return (await call<{ code: string }>('POST', `/v1/sites/${siteId}/provision-codes`, {})).code;
    },
    issueOrder(applianceId: string, order: Partial<OrderCreateRequest> & Pick<OrderCreateRequest, 'type' | 'payload'>) {
      return call<OrderRecord>('POST', `/v1/appliances/${applianceId}/orders`, order);
    },
    async orders(applianceId: string): Promise<OrderRecord[]> {
      return (await call<{ items: OrderRecord[] }>('GET', `/v1/appliances/${applianceId}/orders`)).items;
    },
    /** Every stored bundle of the appliance, in seq order. */
    async evidence(applianceId: string): Promise<EvidenceRecord[]> {
      const all: EvidenceRecord[] = [];
      let after = 0;
      for (;;) {
        const page = await call<{ items: EvidenceRecord[]; nextAfterSeq: number | null }>(
          'GET',
          `/v1/appliances/${applianceId}/evidence?afterSeq=${after}&limit=500`,
        );
        all.push(...page.items);
        if (page.nextAfterSeq === null) return all;
        after = page.nextAfterSeq;
      }
    },
    verifyChain(applianceId: string) {
      return call<EvidenceChainReport>('GET', `/v1/appliances/${applianceId}/evidence/verify`);
    },
    async siteResults(siteId: string): Promise<LatestResult[]> {
      return (await call<{ items: LatestResult[] }>('GET', `/v1/sites/${siteId}/results`)).items;
    },
    close: () => t.close(),
  };
}
export type CentralServer = Awaited<ReturnType<typeof startCentralServer>>;
