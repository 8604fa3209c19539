import {
  HEAD_LENGTH,
  newApiKey,
  newKeyFirstPart,
  newKeySecondPart,
  parseApiKey,
  secretMatches,
  verifierFor,
} from './api-key';

describe('API keys', () => {
  it('splits into a lookup id and a secret whose verifier is stored', () => {
    const key = newApiKey();
    const parsed = parseApiKey(key.key);
    expect(parsed?.id).toBe(key.id);
    expect(key.hash).toBe(verifierFor(parsed?.secret ?? '', 2));
    expect(key.hash).not.toContain(parsed?.secret);
    expect(secretMatches(parsed?.secret ?? '', key.hash, 2)).toBe(true);
  });

  it('refuses other secrets, the other scheme and malformed keys', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(secretMatches(parseApiKey(b.key)?.secret ?? '', a.hash, 2)).toBe(false);
    expect(secretMatches(parseApiKey(a.key)?.secret ?? '', a.hash, 1)).toBe(false);
    expect(parseApiKey('sts_xyz_abc')).toBeUndefined();
    expect(parseApiKey(`${a.key}x`)).toBeUndefined();
  });

  it('pins both verifier schemes to fixed values', () => {
    const secret = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq';
    // scheme 1: SHA-256(secret); scheme 2: SHA-256(hex(SHA-256(first 22)) || last 21)
    expect(verifierFor(secret, 1)).toBe(
      '769e8d95aa246a02d94d48c42fb7183e531c85c41d5b3456ddb90011712d8bd7',
    );
    expect(verifierFor(secret, 2)).toBe(
      '9f84c39ab11d332fb9340d01402dd8005fa70348cea67f0ffbf0762cdd68f08f',
    );
  });

  it('makes a whole key from two parts made by two calls, keeping only the head hash between', () => {
    const first = newKeyFirstPart();
    expect(first.part).toMatch(new RegExp(`^sts_[0-9a-f]{16}_[A-Za-z0-9_-]{${HEAD_LENGTH}}$`));
    const second = newKeySecondPart(first.headHash);
    expect(second.part).toMatch(/^[A-Za-z0-9_-]{21}$/);
    const whole = parseApiKey(first.part + second.part);
    expect(whole?.id).toBe(first.id);
    expect(secretMatches(whole?.secret ?? '', second.hash, 2)).toBe(true);
    // Either part alone, or the parts of another issuance, does not make the key.
    const other = newKeySecondPart(newKeyFirstPart().headHash);
    const mixed = parseApiKey(first.part + other.part);
    expect(secretMatches(mixed?.secret ?? '', other.hash, 2)).toBe(false);
    expect(secretMatches(mixed?.secret ?? '', second.hash, 2)).toBe(false);
  });
});
