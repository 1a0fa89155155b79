import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { openStore } from '../store';
import { createAgentsStore } from './agents.store';
import { createEnrollmentTokens, MAX_TOKEN_USES, parseDurationMs } from './enrollment-tokens';
import { loadOrCreateSiteCa } from './site-ca';

export const AGENTS_USAGE = `  osiris-appliance agents token create --config <file> --uses <n> --expires <30m|12h|7d>
      Creates a site enrollment token for workstation agents and prints it once, with the CA
      fingerprint (SHA-256) the agent must pin. The token is stored hashed.
  osiris-appliance agents token list --config <file>
  osiris-appliance agents token revoke --config <file> --id <token id>
  osiris-appliance agents list --config <file>
  osiris-appliance agents revoke --config <file> --agent <agent id>
      Revokes an agent and all its certificates; its next call is refused.`;

interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** `osiris-appliance agents …`; returns the exit code (2 for usage errors). */
export async function agentsCommand(args: string[], env: Record<string, string | undefined>, io: Output) {
  const [first, second] = args;
  const isToken = first === 'token';
  const action = isToken ? `token ${second ?? ''}` : (first ?? '');
  const { values } = parseArgs({
    args: args.slice(isToken ? 2 : 1),
    options: {
      config: { type: 'string' },
      uses: { type: 'string' },
      expires: { type: 'string' },
      id: { type: 'string' },
      agent: { type: 'string' },
    },
    strict: true,
  });
  const usage = (message?: string) => {
    io.err(message ? `${message}\nusage:\n${AGENTS_USAGE}` : `usage:\n${AGENTS_USAGE}`);
    return 2;
  };
  if (!values.config) return usage();
  const config = loadConfig(values.config, env);
  const store = openStore(config.dataDir);
  try {
    const agents = createAgentsStore(store.db);
    const tokens = createEnrollmentTokens({ agents });
    switch (action) {
      case 'token create': {
        const uses = Number(values.uses);
        const ttlMs = parseDurationMs(values.expires ?? '');
        if (!Number.isInteger(uses) || uses < 1 || uses > MAX_TOKEN_USES)
          return usage(`--uses must be a whole number from 1 to ${MAX_TOKEN_USES}`);
        if (ttlMs === null) return usage('--expires must look like 30m, 12h or 7d (at most a year)');
        const siteId = store.registration.get()?.siteId;
        if (!siteId) {
          io.err('osiris-appliance: register the appliance first (the site CA is made for its site)');
          return 1;
        }
        const ca = await loadOrCreateSiteCa(config.dataDir, { siteId });
        const created = tokens.create({ maxUses: uses, ttlMs });
        io.out(`token ${created.token}`);
        io.out(`token id ${created.tokenId}`);
        io.out(`uses ${uses}, expires ${created.expiresAt}`);
        io.out(`CA fingerprint (SHA-256) ${ca.fingerprint}`);
        return 0;
      }
      case 'token list':
        for (const t of tokens.list())
          io.out(
            `${t.tokenId}  uses ${t.uses}/${t.maxUses}  expires ${t.expiresAt}${t.revokedAt ? `  revoked ${t.revokedAt}` : ''}`,
          );
        return 0;
      case 'token revoke': {
        if (!values.id) return usage('--id is required');
        const revoked = tokens.revoke(values.id);
        io.out(revoked ? `revoked token ${values.id}` : `no active token ${values.id}`);
        return revoked ? 0 : 1;
      }
      case 'list':
        for (const a of agents.listAgents())
          io.out(
            `${a.agentId}  ${a.hostname}  ${a.osFamily}  last heartbeat ${a.lastHeartbeatAt ?? 'never'}${a.revokedAt ? '  revoked' : ''}`,
          );
        return 0;
      case 'revoke': {
        if (!values.agent) return usage('--agent is required');
        const revoked = agents.revokeAgent(values.agent, new Date());
        io.out(revoked ? `revoked agent ${values.agent}` : `no active agent ${values.agent}`);
        return revoked ? 0 : 1;
      }
      default:
        return usage(`unknown agents command "${action.trim()}"`);
    }
  } finally {
    store.close();
  }
}
