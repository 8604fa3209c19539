import type { InstallationPlan } from './principals.service';

const FLAGS = {
  '--admin': 'admins',
  '--officer': 'officers',
  '--custodian': 'custodians',
  '--auditor': 'auditors',
} as const;

/**
 * Reads `bootstrap-admin` arguments: `--admin A --admin B --officer C ...`, or one bare name
 * for a single admin, or nothing for one admin named `admin`. Returns what is wrong as text
 * when the arguments cannot be read.
 */
export function installationPlan(args: readonly string[]): InstallationPlan | string {
  const plan = {
    admins: [] as string[],
    officers: [] as string[],
    custodians: [] as string[],
    auditors: [] as string[],
  };
  if (args.length === 0) return { ...plan, admins: ['admin'] };
  if (args.length === 1 && !args[0].startsWith('--')) return { ...plan, admins: [args[0]] };
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    const name = args[i + 1];
    if (!(flag in FLAGS))
      return `unknown argument "${flag}" (--admin, --officer, --custodian, --auditor)`;
    if (name === undefined || name.startsWith('--')) return `${flag} needs a name`;
    plan[FLAGS[flag as keyof typeof FLAGS]].push(name);
  }
  if (plan.admins.length === 0) return 'name at least one admin (--admin NAME)';
  const names = Object.values(plan).flat();
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return `"${twice}" is named twice: one person, one role`;
  return plan;
}
