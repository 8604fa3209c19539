import { ValidationTypes, getMetadataStorage } from 'class-validator';
import { ValidationMetadata } from 'class-validator/cjs/metadata/ValidationMetadata';

/** class-validator's metadata name for {@link IsOmittable} (validation-fast-path.ts reads it). */
export const IS_OMITTABLE = 'isOmittable';

/**
 * Like `@IsOptional()`, but only an absent field skips the other rules: `null` is checked (and
 * refused) like any other value. For optional fields where `null` means nothing.
 */
export function IsOmittable(): PropertyDecorator {
  return (object, propertyName) => {
    const name = String(propertyName);
    getMetadataStorage().addValidationMetadata(
      new ValidationMetadata({
        type: ValidationTypes.CONDITIONAL_VALIDATION,
        name: IS_OMITTABLE,
        target: object.constructor,
        propertyName: name,
        constraints: [(target: Record<string, unknown>) => target[name] !== undefined],
      }),
    );
  };
}

/** A name: at least one visible character and no control characters (use with a length rule). */
export const NAME = /^(?=.*\S)\P{Cc}*$/u;

/** Free text (a reason): no control characters but tab and line breaks. */
export const FREE_TEXT = /^(?:\P{Cc}|[\t\n\r])*$/u;

/** An id or a key given as text: no control characters and no white space. */
export const ID_TEXT = /^[^\p{Cc}\s]*$/u;
