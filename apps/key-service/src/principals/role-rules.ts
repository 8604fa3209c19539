import { DomainError } from '../common/domain-error';
import type { Role } from '../auth/role';

/** Roles that touch keys or people: granting, changing or re-enabling them needs a second admin. */
export const SECOND_ADMIN_ROLES: readonly Role[] = ['admin', 'security-officer', 'custodian'];

const KEY_HANDLING: readonly Role[] = ['security-officer', 'custodian'];

export function needsSecondAdmin(roles: readonly Role[]): boolean {
  return roles.some((r) => SECOND_ADMIN_ROLES.includes(r));
}

/** Separation of duties and scope rules (400 naming the field). */
export function checkRoleRules(roles: readonly Role[], scope: readonly string[]): void {
  if (roles.includes('admin') && roles.some((r) => KEY_HANDLING.includes(r))) {
    throw DomainError.validation(
      'roles',
      'roles: admin cannot be combined with security-officer or custodian (admins never handle keys)',
    );
  }
  const vending = roles.includes('vending-client');
  if (vending && roles.length > 1) {
    throw DomainError.validation(
      'roles',
      'roles: vending-client cannot be combined with another role (a machine has one job)',
    );
  }
  if (vending && scope.length === 0) {
    throw DomainError.validation(
      'sgcScope',
      'sgcScope: a vending client needs at least one supply group',
    );
  }
  if (!vending && scope.length > 0) {
    throw DomainError.validation(
      'sgcScope',
      'sgcScope: only vending clients have a supply-group scope',
    );
  }
}
