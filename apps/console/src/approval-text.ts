/** An approval request's payload in STS terms, for the person who decides it. */

export interface ApprovalLike {
  readonly action: string;
  readonly subjectId: string;
  readonly payload: Record<string, unknown>;
  readonly quorum: number;
}

function params(a: ApprovalLike): Record<string, unknown> {
  const p = a.payload.params;
  return p && typeof p === 'object' ? (p as Record<string, unknown>) : {};
}

function when(iso: unknown): string {
  return typeof iso === 'string' && iso
    ? `from ${iso.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC')}`
    : 'at once';
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
}

/** "SGC 600727 KRN 1 → 2 from 2027-01-01 00:00 UTC" and the like. */
export function describeApproval(a: ApprovalLike): string {
  const p = params(a);
  const key = `SGC ${text(p.sgc)} KRN ${text(p.krn)}`;
  const kcv = p.kcv ? ` (KCV ${text(p.kcv)})` : '';
  const reason = typeof p.reason === 'string' && p.reason ? `: “${p.reason}”` : '';
  switch (a.action) {
    case 'key.rotate': {
      const old = (p.supersedes ?? {}) as Record<string, unknown>;
      return `Rotate SGC ${text(p.sgc)} KRN ${text(old.krn)} → ${text(p.krn)} ${when(p.effectiveAt)}${kcv}`;
    }
    case 'key.activate':
      return `Activate ${key} ${when(p.effectiveAt)}${kcv}`;
    case 'key.suspend':
      return `Suspend ${key}${kcv}${reason}`;
    case 'key.reactivate':
      return `Reactivate ${key}${kcv}${reason}`;
    case 'key.destroy':
      return `Destroy ${key}${kcv} in the token${reason}`;
    case 'key.import':
      return `Import a wrapped key as ${key}${kcv}`;
    case 'principal.create':
      return `Create principal ${text(p.name)} with roles ${listOf(p.roles)}`;
    case 'principal.update':
      return `Change principal ${a.subjectId}: ${changesOf(p)}`;
    case 'principal.api-key':
      return `Issue a new API key for principal ${text(p.name ?? a.subjectId)}`;
    case 'campaign.approve':
      return `Start rekey campaign ${a.subjectId}`;
    default:
      return `${a.action} on ${a.subjectId}`;
  }
}

function listOf(value: unknown): string {
  return Array.isArray(value) ? value.map(text).join(', ') : text(value);
}

function changesOf(p: Record<string, unknown>): string {
  const parts = Object.entries(p)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k} → ${Array.isArray(v) ? listOf(v) : text(v)}`);
  return parts.length ? parts.join('; ') : 'no field';
}

/** The separation-of-duties rule that makes this request need an approval. */
export function ruleOf(a: ApprovalLike): string {
  const n = a.quorum === 1 ? 'one other' : `${a.quorum} other`;
  if (a.action.startsWith('principal.')) {
    return `Dual control of people: ${n} admin must approve; neither the requester nor the principal concerned may decide.`;
  }
  return `Dual control of keys: ${n} security officer must approve; the requester may not.`;
}
