// class-transformer ships the CommonJS build of its metadata storage without a declaration beside
// it; this names the one it ships under types/.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
