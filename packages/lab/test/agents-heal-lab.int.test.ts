import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackHost, HEALED_CHECKS, type HealedCheck, readHostSecurity } from '../src/agents/heal-host';
import {
  type ApplianceHealState,
  readApplianceHealState,
  readCentralAgentEvidence,
  setSiteAgentTier,
} from '../src/agents/heal-state';
import { type HealLabSystem, startHealLabSystem } from '../src/agents/heal-system';
import { waitFor } from '../src/agents/lab-wait';

/**
 * Issue 9, heal commands for real: the real `osiris-agent` on a lab host reports to the appliance
 * daemon (its own process), whose site tier central sets through `PUT /v1/sites/:id/agent-tier`
 * (a signed `set_agent_tier` order). The host is attacked — its nftables opened up, its sshd made
 * to allow root and password logins with 6 tries. Under `monitor_only` the appliance opens the
 * incidents and sends nothing: the host stays broken. Raised to `self_heal`, the next failing
 * results get the agent runbooks (LIN-FW-001, LIN-SSH-001) as heal commands; the agent runs them
 * on the host, the next results pass, the incidents close, and central's evidence chain holds the
 * healing bundles with the check's state before and after. Every assertion reads real state: the
 * host's nftables and `sshd -T`, the appliance's SQLite store, central's evidence API.
 */
const CATALOG_ID: Record<HealedCheck, string> = {
  firewall: 'linux.workstation.firewall',
  ssh_server: 'linux.workstation.ssh-server',
};
const RUNBOOK: Record<HealedCheck, string> = { firewall: 'LIN-FW-001', ssh_server: 'LIN-SSH-001' };
/** What the agent's check said right before and right after the runbook step (its own words). */
const BEFORE_AFTER: Record<HealedCheck, { before: RegExp; after: RegExp }> = {
  firewall: { before: /accept by default/, after: /policy drop: inet osiris_agent input/ },
  ssh_server: { before: /permitrootlogin yes.*passwordauthentication yes.*maxauthtries 6/, after: /hardened/ },
};
/** The lab appliance has the agent run its checks every 15 s (±10 %); a few cycles at most. */
const RESULTS_WAIT_MS = 120_000;

const lines: string[] = [];
let system: HealLabSystem;
let isFailed = false;
const state = (): ApplianceHealState => readApplianceHealState(system.setup.dataDir, system.agentId);
const context = () => JSON.stringify({ appliance: state(), progress: lines }, null, 1).slice(-6000);
const latest = (s: ApplianceHealState, check: HealedCheck) => s.results.filter((r) => r.checkId === check).at(-1);
const incidentOf = (s: ApplianceHealState, check: HealedCheck) =>
  s.incidents.filter((i) => i.checkId === CATALOG_ID[check]).at(-1);

/** Waits until the agent has sent a heartbeat after `sinceIso` (so anything queued for it was delivered). */
const heartbeatAfter = (sinceIso: string) =>
  waitFor('an agent heartbeat', 60_000, async () => {
    const beat = state().agent?.lastHeartbeatAt;
    return beat && Date.parse(beat) > Date.parse(sinceIso) ? beat : null;
  });

beforeAll(async () => {
  system = await startHealLabSystem({
    backend: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite',
    progress: (line) => lines.push(line),
  });
  await setSiteAgentTier(system.central, system.siteId, 'monitor_only');
  await waitFor('the monitor_only order applied', 60_000, async () => state().storedTier === 'monitor_only');
  await waitFor('passing first results of both checks', RESULTS_WAIT_MS, async () => {
    const s = state();
    return HEALED_CHECKS.every((check) => latest(s, check)?.status === 'PASS');
  });
}, 420_000);

afterAll(async () => {
  if (!system) return;
  const { keptDir, failures } = await system.close(isFailed);
  if (keptDir) process.stderr.write(`agents-heal-lab: logs kept in ${keptDir}\n`);
  expect(failures).toEqual([]);
}, 120_000);

describe('heal commands of a workstation agent on a real lab host', () => {
  it('under monitor_only opens incidents for the attacked host, sends no heal command and the host stays broken', async () => {
    try {
      const hardened = await readHostSecurity(system.host);
      expect(hardened.isFirewallClosed && hardened.isSshdHardened, JSON.stringify(hardened)).toBe(true);
      const attackedAt = new Date().toISOString();
      await attackHost(system.host);
      const attackDoneAt = new Date().toISOString();
      const attacked = await readHostSecurity(system.host);
      expect(attacked.isFirewallClosed, JSON.stringify(attacked)).toBe(false);
      expect(attacked.sshd).toMatchObject({ permitrootlogin: 'yes', passwordauthentication: 'yes', maxauthtries: '6' });

      // Two failing runs per check: the first opens the incident, the second updates it; the healer
      // considers both and must refuse both (tier), then a heartbeat passes with nothing to deliver.
      const failed = await waitFor('two failing results per check on open incidents', RESULTS_WAIT_MS, async () => {
        const s = state();
        const isDone = HEALED_CHECKS.every((check) => {
          const incident = incidentOf(s, check);
          return incident?.status === 'open' && incident.occurrences >= 2 && incident.openedAt > attackedAt;
        });
        return isDone ? s : null;
      });
      await heartbeatAfter(failed.results.at(-1)?.receivedAt ?? attackedAt);
      const after = state();
      expect(after.storedTier, context()).toBe('monitor_only');
      expect(after.healCommands, context()).toEqual([]);
      expect(after.attempts, context()).toEqual([]);
      for (const check of HEALED_CHECKS) {
        const since = after.results.filter((r) => r.checkId === check && r.detectedAt > attackDoneAt);
        expect(since.length, context()).toBeGreaterThanOrEqual(1);
        expect(new Set(since.map((r) => r.status)), context()).toEqual(new Set(['FAIL']));
      }
      const broken = await readHostSecurity(system.host);
      expect(broken.isFirewallClosed, JSON.stringify(broken)).toBe(false);
      expect(broken.isSshdHardened, JSON.stringify(broken)).toBe(false);
      expect(broken.sshdDropIn).toBeNull();
      // The agent's own record: it never ran a command.
      expect(await system.agent.healCommands()).toEqual([]);

      // Central holds the failures as evidence, and no healing record.
      const evidence = await waitFor('the failures in central', 60_000, async () => {
        const bundles = await readCentralAgentEvidence(system.central, system.applianceId, system.agentId);
        const isThere = HEALED_CHECKS.every((check) =>
          bundles.some((b) => b.checkId === CATALOG_ID[check] && b.status === 'fail' && b.startedAt > attackedAt),
        );
        return isThere ? bundles : null;
      });
      expect(evidence.filter((b) => b.kind === 'healing')).toEqual([]);
    } catch (error) {
      isFailed = true;
      throw error;
    }
  }, 300_000);

  it('raised to self_heal by central, heals the host through the agent runbooks and closes the incidents', async () => {
    try {
      const before = state();
      const opened = Object.fromEntries(HEALED_CHECKS.map((check) => [check, incidentOf(before, check)]));
      const raisedAt = new Date().toISOString();
      await setSiteAgentTier(system.central, system.siteId, 'self_heal');
      const raised = await waitFor('the self_heal order applied', 60_000, async () => {
        const s = state();
        return s.storedTier === 'self_heal' && s.configVersion > before.configVersion ? s : null;
      });
      // The agent takes the new configuration (with its tier) from the next heartbeat.
      await waitFor('the agent on the new config', 60_000, async () => {
        return (state().agent?.configVersion ?? 0) >= raised.configVersion;
      });

      const healed = await waitFor('heal commands answered and incidents closed', 240_000, async () => {
        const s = state();
        const isDone = HEALED_CHECKS.every((check) => {
          const incident = s.incidents.find((i) => i.incidentId === opened[check]?.incidentId);
          const answered = s.healCommands.some((c) => c.checkId === check && c.resultStatus === 'SUCCEEDED');
          return incident?.status === 'closed' && answered;
        });
        return isDone ? s : null;
      });

      for (const check of HEALED_CHECKS) {
        const incident = healed.incidents.find((i) => i.incidentId === opened[check]?.incidentId);
        const commands = healed.healCommands.filter((c) => c.checkId === check);
        const first = commands[0];
        expect(first, context()).toMatchObject({
          runbookId: RUNBOOK[check],
          requiredTier: 'self_heal',
          incidentId: incident?.incidentId,
          resultStatus: 'SUCCEEDED',
        });
        expect(first?.result?.before?.status, context()).toBe('CHECK_STATUS_FAIL');
        expect(first?.result?.after?.status, context()).toBe('CHECK_STATUS_PASS');
        // Issued only once central raised the tier, and none failed.
        expect(
          commands.every((c) => c.issuedAt > raisedAt),
          context(),
        ).toBe(true);
        expect(new Set(commands.map((c) => c.resultStatus)), context()).toEqual(new Set(['SUCCEEDED']));
        expect(incident?.fixedTier, context()).toBe('L1');
        expect(
          healed.attempts.some(
            (a) => a.incidentId === incident?.incidentId && a.tier === 'L1' && a.outcome === 'success',
          ),
          context(),
        ).toBe(true);
        // The incident closed on the agent's next (passing) result after the heal.
        const pass = healed.results.find(
          (r) => r.checkId === check && r.status === 'PASS' && first && r.receivedAt > first.issuedAt,
        );
        expect(pass, context()).toBeDefined();
        expect(Date.parse(incident?.closedAt ?? ''), context()).toBe(Date.parse(pass?.detectedAt ?? ''));
      }

      // The agent's own record holds exactly the commands the appliance issued, answered and reported.
      const byId = (x: { commandId: string }, y: { commandId: string }) => x.commandId.localeCompare(y.commandId);
      expect((await system.agent.healCommands()).sort(byId), context()).toEqual(
        healed.healCommands.map((c) => ({ commandId: c.commandId, status: 'SUCCEEDED', isReported: true })).sort(byId),
      );

      // The host itself: a default-deny nftables input chain, sshd hardened by the runbook's drop-in.
      const host = await readHostSecurity(system.host);
      expect(host.inputChains, JSON.stringify(host)).toContainEqual({
        family: 'inet',
        table: 'osiris_agent',
        name: 'input',
        policy: 'drop',
      });
      expect(host.sshd).toEqual({
        permitrootlogin: 'no',
        passwordauthentication: 'no',
        permitemptypasswords: 'no',
        maxauthtries: '3',
        x11forwarding: 'no',
      });
      expect(host.sshdDropIn).toContain('Managed by osiris-agent (LIN-SSH-001)');

      // Central: per check a healing bundle (before FAIL, after PASS) followed by a passing check
      // bundle, on a chain that verifies.
      const bundles = await waitFor('the healing evidence in central', 90_000, async () => {
        const list = await readCentralAgentEvidence(system.central, system.applianceId, system.agentId);
        const isThere = HEALED_CHECKS.every((check) => {
          const heal = list.find((b) => b.kind === 'healing' && b.checkId === CATALOG_ID[check]);
          return (
            heal &&
            list.some((b) => b.checkId === CATALOG_ID[check] && !b.kind && b.status === 'pass' && b.seq > heal.seq)
          );
        });
        return isThere ? list : null;
      });
      for (const check of HEALED_CHECKS) {
        const command = healed.healCommands.find((c) => c.checkId === check && c.resultStatus === 'SUCCEEDED');
        const heal = bundles.find((b) => b.kind === 'healing' && b.observed.commandId === command?.commandId);
        expect(heal, JSON.stringify(bundles.filter((b) => b.kind === 'healing'))).toMatchObject({
          status: 'pass',
          observed: {
            incidentId: opened[check]?.incidentId,
            runbookId: RUNBOOK[check],
            tier: 'self_heal',
            outcome: 'SUCCEEDED',
            before: { status: 'fail', actual: expect.stringMatching(BEFORE_AFTER[check].before) },
            after: { status: 'pass', actual: expect.stringMatching(BEFORE_AFTER[check].after) },
          },
        });
      }
      const chain = await system.central.verifyChain(system.applianceId);
      expect(chain, JSON.stringify(chain)).toMatchObject({ ok: true });
    } catch (error) {
      isFailed = true;
      throw error;
    }
  }, 420_000);
});
