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
