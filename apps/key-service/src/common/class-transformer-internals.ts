import { defaultMetadataStorage } from 'class-transformer/cjs/storage';

/**
 * class-transformer keeps its decorators' metadata in a storage it does not export from its
 * entry point; the validation fast path reads it here and nowhere else. The package is pinned to
 * this exact version in package.json, and `library-pins.spec.ts` checks that the storage is the
 * one its public decorators write to, failing with this pin's name when an upgrade changes it.
 */
export const CLASS_TRANSFORMER_PIN = '0.5.1';

type Constructor = abstract new (...args: never[]) => unknown;

/** Whether `type` has `@Expose` or `@Exclude` metadata (its plain form is not its properties). */
export function reshapesProperties(type: Constructor): boolean {
  return (
    defaultMetadataStorage.getExposedMetadatas(type).length > 0 ||
    defaultMetadataStorage.getExcludedMetadatas(type).length > 0
  );
}

/** Whether a `@Transform` applies to property `name` of `type` (plain to class). */
export function transformsProperty(type: Constructor, name: string): boolean {
  return defaultMetadataStorage.findTransformMetadatas(type, name, 0).length > 0;
}

/** What `@Type` names for property `name` of `type`, if anything. */
export function declaredType(type: Constructor, name: string): unknown {
  return defaultMetadataStorage.findTypeMetadata(type, name)?.typeFunction();
}
