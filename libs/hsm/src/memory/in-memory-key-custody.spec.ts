import { HsmError, InMemoryKeyCustody } from '@sts/hsm';
import { keyCustodyContract } from '../../test/key-custody.contract';

keyCustodyContract('in-memory', () =>
  Promise.resolve(new InMemoryKeyCustody({ allowInsecureInMemoryKeys: true })),
);

describe('InMemoryKeyCustody opt-in', () => {
  it('refuses to construct without the explicit insecure flag', () => {
    const construct = (options: unknown) =>
      new InMemoryKeyCustody(options as { allowInsecureInMemoryKeys: true });
    for (const options of [undefined, {}, { allowInsecureInMemoryKeys: 'true' }]) {
      expect(() => construct(options)).toThrow(HsmError);
      try {
        construct(options);
      } catch (error) {
        expect((error as HsmError).code).toBe('NOT_PERMITTED');
      }
    }
  });

  it('refuses to construct when NODE_ENV is production', () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(() => new InMemoryKeyCustody({ allowInsecureInMemoryKeys: true })).toThrow(
        expect.objectContaining({ code: 'NOT_PERMITTED' }),
      );
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});
