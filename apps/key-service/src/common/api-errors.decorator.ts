import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response';

type Documented = 400 | 404 | 409 | 422;

/** Documents the error responses a route can give (503 always: token or database down). */
export function ApiErrors(...statuses: Documented[]): MethodDecorator {
  const decorators = [
    ApiServiceUnavailableResponse({
      description: 'Token or database unavailable; nothing changed',
      type: ErrorResponseDto,
    }),
  ];
  for (const s of statuses) {
    switch (s) {
      case 400:
        decorators.push(
          ApiBadRequestResponse({
            description: 'Invalid input; names the field; nothing changed',
            type: ErrorResponseDto,
          }),
        );
        break;
      case 404:
        decorators.push(
          ApiNotFoundResponse({ description: 'No such resource', type: ErrorResponseDto }),
        );
        break;
      case 409:
        decorators.push(
          ApiConflictResponse({ description: 'State conflict', type: ErrorResponseDto }),
        );
        break;
      case 422:
        decorators.push(
          ApiUnprocessableEntityResponse({
            description: 'STS or key rule violated',
            type: ErrorResponseDto,
          }),
        );
        break;
    }
  }
  return applyDecorators(...decorators);
}
