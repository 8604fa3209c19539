/**
 * `@sts/hsm`: the key-custody port and its adapters. The service binds the PKCS#11 adapter;
 * the in-memory adapter is for unit tests only (its constructor demands an explicit opt-in).
 *
 * @packageDocumentation
 */
export * from './key-custody.port';
export * from './token-inventory';
export {
  KCV_BYTES,
  HMAC_KCV_MESSAGE,
  kcvFromBlock,
  desCheckValue,
  tdes2CheckValue,
  aesCheckValue,
  hmacCheckValue,
  publicKeyCheckValue,
  secretKeyCheckValue,
  decoderKeyCheckValue,
  parseKcv,
  kcvEquals,
} from './check-value';
export { aesKeyWrapPad, aesKeyUnwrapPad } from './key-wrap';
export { SELF_TEST_CHECKS } from './known-answers';
export { MAX_HMAC_KEY_BYTES } from './key-spec';
export { InMemoryKeyCustody, type InMemoryKeyCustodyOptions } from './memory/in-memory-key-custody';
export { Pkcs11KeyCustody } from './pkcs11/pkcs11-key-custody';
export {
  type Pkcs11Config,
  type StartupRetry,
  DEFAULT_STARTUP_RETRY,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_CALL_TIMEOUT_MS,
} from './pkcs11/config';
export { REQUIRED_MECHANISMS, type RequiredMechanism } from './pkcs11/mechanisms';
export { type MechanismCapability } from './pkcs11/capabilities';
