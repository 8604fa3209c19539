import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-codes';
import { type FastPath, fastPathFor } from './validation-fast-path';

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
 * The ValidationPipe with a fast path for bodies that are valid (validation-fast-path.ts): a body
 * the fast path does not accept, and everything but bodies, goes through the pipe as before. A
 * body that is not a JSON object is refused as a whole (400 naming `body`).
 */
class ServiceValidationPipe extends ValidationPipe {
  private readonly fastPaths = new Map<unknown, FastPath<unknown> | undefined>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.type === 'body' ? metadata.metatype : undefined;
    if (type && this.toValidate(metadata)) {
      if (!this.fastPaths.has(type)) {
        this.fastPaths.set(type, fastPathFor(type as new () => unknown));
      }
      const accepted = this.fastPaths.get(type)?.(value);
      if (accepted !== undefined) return accepted;
      // The DTO's fields are not the problem of a body that is not an object at all.
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw DomainError.validation('body', 'body: must be a JSON object');
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * Whitelisting validation: unknown fields are refused, every problem names its field, and no
 * message echoes a value (components and keys must never come back in an error).
 */
export function createValidationPipe(): ValidationPipe {
  return new ServiceValidationPipe({
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
