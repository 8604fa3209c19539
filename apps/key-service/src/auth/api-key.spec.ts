import { hashSecret, newApiKey, parseApiKey, secretMatches } from './api-key';

describe('API keys', () => {
  it('splits into a lookup id and a secret whose hash is stored', () => {
    const key = newApiKey();
    const parsed = parseApiKey(key.key);
    expect(parsed?.id).toBe(key.id);
    expect(key.hash).toBe(hashSecret(parsed?.secret ?? ''));
    expect(key.hash).not.toContain(parsed?.secret);
    expect(secretMatches(parsed?.secret ?? '', key.hash)).toBe(true);
  });

  it('refuses other secrets and malformed keys', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(secretMatches(parseApiKey(b.key)?.secret ?? '', a.hash)).toBe(false);
    expect(parseApiKey('sts_xyz_abc')).toBeUndefined();
    expect(parseApiKey(`${a.key}x`)).toBeUndefined();
  });
});
