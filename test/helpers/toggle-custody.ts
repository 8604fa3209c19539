import { HsmError, type KeyCustody } from '@sts/hsm';

/** What the wrapped custody does on every call. */
export type CustodyMode = 'up' | 'down' | 'broken';

/**
 * Wraps a real custody so a test can take the token away ('down': every call throws
 * HsmError UNAVAILABLE, as a pulled HSM does) or make it fail unexpectedly ('broken': a plain
 * Error, which the service must turn into a 500 with only an error id).
 */
export function toggleCustody(inner: KeyCustody): {
  custody: KeyCustody;
  set(mode: CustodyMode): void;
} {
  let mode: CustodyMode = 'up';
  const custody = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      // close() always works; status() reads the adapter's own state and makes no token call.
      if (prop === 'close' || prop === 'status') return (value as () => unknown).bind(target);
      return (...args: unknown[]) => {
        if (mode === 'down')
          return Promise.reject(new HsmError('UNAVAILABLE', 'token removed (test)'));
        if (mode === 'broken') return Promise.reject(new Error('unexpected driver failure (test)'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { custody, set: (m) => (mode = m) };
}
