import * as pkcs11js from 'pkcs11js';
import { HsmError } from '../key-custody.port';
import { isDeviceFault, toHsmError } from './errors';

const fault = (code: number, context?: 'unwrap') =>
  isDeviceFault(toHsmError(new pkcs11js.Pkcs11Error('fail', code, 'C_Sign'), 'op', context));

describe('isDeviceFault', () => {
  it('counts a broken device, lost sessions and a lost login', () => {
    for (const code of [
      pkcs11js.CKR_DEVICE_ERROR,
      pkcs11js.CKR_DEVICE_REMOVED,
      pkcs11js.CKR_SESSION_HANDLE_INVALID,
      pkcs11js.CKR_USER_NOT_LOGGED_IN,
      pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
      pkcs11js.CKR_GENERAL_ERROR,
    ]) {
      expect(fault(code)).toBe(true);
    }
  });

  it('never counts a refused request: mechanism, input, key, PIN, or a tampered unwrap', () => {
    for (const code of [
      pkcs11js.CKR_MECHANISM_INVALID,
      pkcs11js.CKR_DATA_LEN_RANGE,
      pkcs11js.CKR_KEY_UNEXTRACTABLE,
      pkcs11js.CKR_PIN_INCORRECT,
      pkcs11js.CKR_OBJECT_HANDLE_INVALID,
      pkcs11js.CKR_FUNCTION_NOT_SUPPORTED,
    ]) {
      expect(fault(code)).toBe(false);
    }
    expect(fault(pkcs11js.CKR_GENERAL_ERROR, 'unwrap')).toBe(false);
  });

  it('never counts an error without a CKR value', () => {
    expect(isDeviceFault(new HsmError('UNAVAILABLE', 'key custody is closed'))).toBe(false);
  });
});
