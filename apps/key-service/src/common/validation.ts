import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-codes';

interface FieldProblem {
  field: string;
  message: string;
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => ({
      field,
      // class-validator's own messages start with the property name; ours may not.
      message: m.startsWith(e.property) ? m.replace(e.property, field) : `${field}: ${m}`,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Whitelisting validation: unknown fields are refused, every problem names its field, and no
 * message echoes a value (components and keys must never come back in an error).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new DomainError(ErrorCode.VALIDATION_FAILED, fields.map((f) => f.message).join('; '), {
        fields,
      });
    },
  });
}
