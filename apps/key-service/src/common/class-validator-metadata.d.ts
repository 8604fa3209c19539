// class-validator exports its metadata class only from the CommonJS build's own path; this names
// the declaration it ships under types/.
declare module 'class-validator/cjs/metadata/ValidationMetadata' {
  export { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
}
