import { spawnSync } from 'node:child_process';

/** The people a benchmark installs with `bootstrap-admin`, by role flag. */
export const BENCH_CAST = {
  admin: 'bench-admin',
  officerA: 'bench-officer-a',
  officerB: 'bench-officer-b',
  custodian1: 'bench-custodian-1',
  custodian2: 'bench-custodian-2',
} as const;

/**
 * Runs the installation ceremony (`key-service bootstrap-admin`) for {@link BENCH_CAST} and
 * returns each person's enrolment key by name, read from the lines it prints
 * (`  <role>: <name>: <key>`).
 */
export function install(cli: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const c = BENCH_CAST;
  const args = ['--admin', c.admin, '--officer', c.officerA, '--officer', c.officerB];
  args.push('--custodian', c.custodian1, '--custodian', c.custodian2);
  const boot = spawnSync(process.execPath, [cli, 'bootstrap-admin', ...args], {
    env,
    encoding: 'utf8',
  });
  const keys: Record<string, string> = {};
  for (const m of boot.stdout.matchAll(
    /^ {2}[a-z]+: (.+): (sts_[0-9a-f]{16}_[A-Za-z0-9_-]{43})$/gm,
  )) {
    keys[m[1]] = m[2];
  }
  if (Object.keys(keys).length !== Object.keys(c).length) {
    throw new Error(`bootstrap-admin did not install the cast: ${boot.stdout}${boot.stderr}`);
  }
  return keys;
}

/** Exchanges an enrolment key for the holder's own key, as the holder does first. */
export async function enrol(baseUrl: string, enrolmentKey: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/principals/me/api-key`, {
    method: 'POST',
    headers: { authorization: `Bearer ${enrolmentKey}` },
  });
  const body = (await res.json()) as { apiKey?: string };
  if (res.status !== 200 || !body.apiKey) throw new Error(`enrolment failed: ${res.status}`);
  return body.apiKey;
}
