/**
 * `@sts/core`: the STS (IEC 62055-41) token algorithms in TypeScript, with zero runtime
 * dependencies. Section numbers in the docs refer to the project's STS-SPEC.
 *
 * @packageDocumentation
 */
export { StsError, type StsErrorCode } from './errors';
export { hexToBytes, bytesToHex } from './hex';
export { crc16Modbus, tokenCrc } from './crc';
export {
  type MeterId,
  parseMeterId,
  luhnCheckDigit,
  primaryAccountNumber,
  withCheckDigit,
} from './meter-id';
export {
  type BaseDate,
  type WallClock,
  BASE_DATES,
  MAX_TID,
  checkBaseDate,
  checkTid,
  checkKen,
  parseWallClock,
  formatWallClock,
  tidFromWallClock,
  tidFromDate,
  tidToWallClock,
  isKeyExpired,
  assertKenCovers,
  lastTidForKen,
} from './tid';
export {
  MAX_UNIT_VALUE,
  CURRENCY_DECIMALS,
  type CurrencyField,
  parseScaledDecimal,
  encodeUnitValue,
  decodeUnitValue,
  encodeUnits,
  decodeUnits,
  encodeCurrency,
  decodeCurrency,
} from './amount';
export { type StaTables, STANDARD_STA_TABLES, IEC_SAMPLE_STA_TABLES } from './ea07-tables';
export { Ea07Cipher } from './ea07';
export { DesCipher, desEncryptBlock, bytesToBlock, blockToBytes } from './des';
export { Misty1Cipher } from './misty1';
export {
  type Ea,
  type TokenCipher,
  type CipherOptions,
  checkEa,
  createCipher,
  keyBytesForEa,
} from './cipher';
export {
  type KeyType,
  checkKeyType,
  checkKrn,
  nextKrn,
  checkSgc,
  checkTariffIndex,
} from './key-params';
export {
  type Dkga,
  type DerivationInput,
  type DerivationFields,
  type Dkga02Options,
  checkDkga,
  parseDerivationInput,
  derivedKeyBytes,
  panBlock,
  controlBlock,
  dkga02Input,
  dkga02Combine,
  dkga02,
  dkga04Message,
  dkga04,
  deriveDecoderKey,
  oddParity,
} from './dkga';
export { type TokenClass, type ParsedToken, encodeToken, parseToken } from './token-codec';
export {
  type CreditSubclass,
  type ManagementSubclass,
  type CreditTokenRequest,
  type ManagementTokenRequest,
  type TestTokenRequest,
  type KeyChangeRequest,
  type DecodedToken,
  type DecodeOptions,
  type CrcVariant,
  MANAGEMENT_SUBCLASS_NAMES,
  buildCreditToken,
  buildManagementToken,
  buildTestToken,
  buildKeyChangeTokens,
  encodeManagementValue,
  decodeToken,
} from './tokens';
export {
  type MeterOutcome,
  type MeterResponse,
  type VirtualMeterConfig,
  type VirtualMeterState,
  type CreditRegisters,
  VirtualMeter,
} from './virtual-meter';
export { type Operation, type RequestOptions, OPERATIONS, executeRequest } from './requests';
