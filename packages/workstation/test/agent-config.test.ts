import { describe, expect, it } from 'vitest';
import { jittered } from '../src/agent-loop';
import { ConfigError, defaultPaths, parseAgentConfig } from '../src/config/agent-config';
import { parseCliArgs } from '../src/config/cli-args';

describe('agent configuration', () => {
  it('parses a full config and normalises the CA fingerprint', () => {
    const config = parseAgentConfig(
      JSON.stringify({
        appliance: '192.168.1.10:50051',
        ca_fingerprint_sha256: `AB:${'cd'.repeat(31)}`,
        enrollment_token_file: '/etc/osiris-agent/token',
        checks: [{ check_id: 'firewall' }, { check_id: 'os_updates', params: { max_patch_age_days: '14' } }],
      }),
      'config.json',
    );
    expect(config.ca_fingerprint_sha256).toBe(`ab${'cd'.repeat(31)}`);
    expect(config.checks?.[0]).toEqual({ check_id: 'firewall', params: {} });
    expect(config.queue_max_results).toBe(10_000);
  });

  it('lists every problem with its key, and rejects unknown keys', () => {
    const bad = JSON.stringify({ appliance: 'no-port', ca_fingerprint_sha256: 'xyz', check_interval: 300 });
    expect(() => parseAgentConfig(bad, 'config.json')).toThrow(ConfigError);
    try {
      parseAgentConfig(bad, 'config.json');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('appliance: must be host:port');
      expect(message).toContain('ca_fingerprint_sha256: must be a SHA-256 fingerprint');
      expect(message).toContain('check_interval');
    }
    expect(() => parseAgentConfig('{"appliance": ', 'config.json')).toThrow(/not valid JSON/);
    expect(() => parseAgentConfig('{"appliance": "h:70000"}', 'config.json')).toThrow(/port must be 1-65535/);
  });

  it('uses per-OS default locations', () => {
    expect(defaultPaths('linux')).toEqual({
      configFile: '/etc/osiris-agent/config.json',
      dataDir: '/var/lib/osiris-agent',
    });
    expect(defaultPaths('macos').dataDir).toBe('/Library/Application Support/OsirisCare');
    expect(defaultPaths('windows', { ProgramData: 'D:\\PD' }).configFile).toMatch(/^D:\\PD.OsirisCare.config\.json$/);
  });

  it('parses flags and rejects unknown ones with the usage text', () => {
    expect(parseCliArgs(['--dry-run', '--appliance', '10.0.0.5:50051', '--data-dir', '/tmp/a'])).toEqual({
      appliance: '10.0.0.5:50051',
      dataDir: '/tmp/a',
      isDryRun: true,
      isVersion: false,
      isHelp: false,
    });
    expect(() => parseCliArgs(['--bogus'])).toThrow(/Usage: osiris-agent/);
  });

  it('jitters intervals by at most 10 %', () => {
    expect(jittered(60, () => 0)).toBe(54_000);
    expect(jittered(60, () => 1)).toBe(66_000);
    expect(jittered(300, () => 0.5)).toBe(300_000);
  });
});
