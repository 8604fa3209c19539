import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response';
import type { Role } from './role';

export const ROLES_KEY = 'sts:roles';
export const PUBLIC_KEY = 'sts:public';
export const ENROLMENT_KEY = 'sts:accepts-enrolment-key';

/**
 * Declares who may call a route. The guard denies every route that declares nothing; the roles
 * also go into the OpenAPI document as `x-roles`, from which the authorisation matrix test is
 * generated.
 */
export function Roles(...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiExtension('x-roles', roles),
    ApiUnauthorizedResponse({ description: 'No or unknown API key', type: ErrorResponseDto }),
    ApiForbiddenResponse({
      description: 'Role or scope does not allow this',
      type: ErrorResponseDto,
    }),
  );
}

/** Declares a route open to anyone (health, metrics). */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-roles', ['public']));
}

/**
 * Marks the one route an enrolment key (issued by someone other than its holder) may call: the
 * exchange for the holder's own key. Everywhere else such a key is 401 ENROLMENT_REQUIRED.
 */
export function AcceptsEnrolmentKey(): MethodDecorator {
  return applyDecorators(SetMetadata(ENROLMENT_KEY, true));
}
