import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import type { AuthenticatedPrincipal } from './authenticated-principal';

/** Whether supply-group scope limits the principal: any principal holding `vending-client`. */
function isScoped(principal: AuthenticatedPrincipal): boolean {
  return principal.roles.includes('vending-client');
}

/**
 * Vending clients reach only the supply groups in their scope; everyone else reaches all. The
 * scope applies whatever other roles a principal may hold (the role rules forbid combining
 * vending-client with another role; this holds even if a row was changed around them).
 */
export function assertInScope(principal: AuthenticatedPrincipal, sgc: string): void {
  if (isScoped(principal) && !principal.sgcScope.includes(sgc)) {
    throw new DomainError(ErrorCode.OUT_OF_SCOPE, `Supply group ${sgc} is outside your scope`, {
      sgc,
    });
  }
}

/** The SGCs a principal may list, or undefined for all. */
export function scopeFilter(principal: AuthenticatedPrincipal): readonly string[] | undefined {
  return isScoped(principal) ? principal.sgcScope : undefined;
}
