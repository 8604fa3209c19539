export * from './key-custody.port';
