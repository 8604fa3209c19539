import type { MechanismCapability, SelfTestReport } from '@sts/hsm';
import type { AppConfig } from '../config/app-config';
import { openPkcs11Custody } from './configured-custody';

/** What `key-service hsm-probe` found: the token, each mechanism and the self-test. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly text: string;
}

/**
 * Opens the configured module and token as the service would (login included), lists each
 * mechanism the service needs with what follows for it (in the token, a documented fallback
 * that still keeps keys in the token, or refused), runs the self-test, and closes again.
 * Changes nothing in the token beyond the self-test's session objects, which it destroys.
 */
export async function probeHsm(config: AppConfig): Promise<ProbeResult> {
  const custody = await openPkcs11Custody(config);
  try {
    const capabilities = await custody.capabilities();
    const selfTest = custody.startupSelfTest;
    const text = describe(config, capabilities, selfTest);
    const ok = selfTest?.ok === true && capabilities.every((c) => c.outcome !== 'refused');
    return { ok, text };
  } finally {
    await custody.close();
  }
}

function describe(
  config: AppConfig,
  capabilities: readonly MechanismCapability[],
  selfTest: SelfTestReport | undefined,
): string {
  const token = selfTest?.token ?? {};
  const lines = [
    `module: ${config.hsm.module}`,
    `library: ${token.library ?? 'unknown'} (${token.libraryManufacturer ?? 'unknown'})`,
    `token: ${config.hsm.tokenLabel} (${token.manufacturer ?? '?'} ${token.model ?? '?'}, serial ${token.serialNumber ?? '?'})`,
    '',
    row('mechanism', 'offered', 'outcome', 'used for'),
  ];
  for (const c of capabilities) {
    const offered =
      c.offeredAs === null ? 'no' : c.offeredAs === c.mechanism ? 'yes' : `as ${c.offeredAs}`;
    const flags = c.missingFlags.length > 0 ? ` (lacks ${c.missingFlags.join(', ')})` : '';
    const outcome =
      c.outcome === 'in-token'
        ? 'in token'
        : c.outcome === 'fallback'
          ? `fallback: ${c.fallback ?? ''}`
          : `refused: ${c.refused ?? ''}`;
    lines.push(row(c.mechanism, offered + flags, outcome, c.purpose));
  }
  lines.push('');
  const failed = selfTest?.checks.filter((c) => !c.ok) ?? [];
  lines.push(
    selfTest?.ok === true
      ? `self-test: passed (${selfTest.checks.length} checks)`
      : `self-test: FAILED: ${failed.map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ''}`).join('; ')}`,
  );
  return lines.join('\n');
}

function row(mechanism: string, offered: string, outcome: string, purpose: string): string {
  return `${mechanism.padEnd(30)} ${offered.padEnd(28)} ${outcome.padEnd(12)} ${purpose}`;
}
