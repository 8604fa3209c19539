/**
 * Known answers of the self-test on open, shared by both adapters so that
 * their reports name and check the same things.
 */

/** Self-test check names, stable: `/health` shows them and tests assert on them. */
export const SELF_TEST_CHECKS = {
  des2Kcv: 'kat:des2-kcv',
  hmacRfc4231: 'kat:hmac-sha256-rfc4231',
  keyWrapRoundTrip: 'kat:aes-key-wrap-pad-round-trip',
} as const;

/** DES2 known answer: key 0123456789ABCDEF (as K||K), check value D5D44F. */
export const DES_KAT_KEY = '0123456789abcdef';
/** Expected check value of `DES_KAT_KEY` (first 3 bytes of DES_K(0^64)). */
export const DES_KAT_KCV = 'd5d44f';

/** RFC 4231 §4.3 (test case 2) key: "Jefe". */
export const RFC4231_KEY = 'Jefe';
/** RFC 4231 §4.3 data: "what do ya want for nothing?". */
export const RFC4231_DATA = 'what do ya want for nothing?';
/** RFC 4231 §4.3 HMAC-SHA-256 result, hex. */
export const RFC4231_MAC = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
