import 'reflect-metadata';
import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { jsonClone, SAMPLES } from '../../../../test/helpers/vending-dto-samples';
import { fastPathFor } from './validation-fast-path';

// Random bodies (fast-check): kept out of the mutation run (jest.mutation.config.js), whose
// verdicts must not depend on a seed; validation-fast-path.spec.ts and .rules.spec.ts pin the
// same behaviour with fixed inputs.

/** The pipe the fast path stands in for: the service's options, without the fast path. */
const reference = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
});

/** Values a field may be given instead of its own: other types, edges, lookalikes. */
const ODD_VALUES = [
  null,
  0,
  -1,
  1.5,
  9,
  10,
  65_536,
  Number.MAX_SAFE_INTEGER,
  '',
  '1',
  '07',
  '08',
  '600727',
  '12345678901',
  '25.6',
  '1e3',
  ' 600727',
  '0x1',
  true,
  [],
  ['07'],
  {},
  { iin: '600727' },
];

type Mutation =
  | { kind: 'set'; path: number; value: unknown }
  | { kind: 'delete'; path: number }
  | { kind: 'extra'; path: number; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.nat(),
    value: fc.constantFrom(...ODD_VALUES),
  }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.nat() }),
  fc.record({
    kind: fc.constant('extra' as const),
    path: fc.nat(),
    key: fc.constantFrom('extra', 'constructor', 'toString', 'amount', 'meter'),
  }),
);

/** Every (object, key) place in a body, nested objects included. */
function places(body: Record<string, unknown>): [Record<string, unknown>, string][] {
  return Object.entries(body).flatMap(([key, value]): [Record<string, unknown>, string][] => [
    [body, key],
    ...(value !== null && typeof value === 'object' && !Array.isArray(value)
      ? places(value as Record<string, unknown>)
      : []),
  ]);
}

function mutate(sample: Record<string, unknown>, mutations: readonly Mutation[]) {
  const body = jsonClone(sample);
  for (const m of mutations) {
    const all = places(body);
    if (all.length === 0) break;
    const [object, key] = all[m.path % all.length];
    if (m.kind === 'set') object[key] = jsonClone(m.value);
    else if (m.kind === 'delete') delete object[key];
    else object[m.key] = 1;
  }
  return body;
}

const body = (type: new () => object): ArgumentMetadata => ({ type: 'body', metatype: type });

/** What the reference pipe answers: the instance, or the field names of its 400. */
async function referenceOutcome(type: new () => object, value: unknown) {
  return reference.transform(jsonClone(value), body(type)).then(
    (instance: unknown) => ({ instance }),
    () => ({ refused: true }),
  );
}

describe('validation fast path', () => {
  it.each(SAMPLES.map(([type, sample]) => [type.name, type, sample] as const))(
    '%s: accepts only what the pipe accepts, answering the instance the pipe builds',
    async (_name, type, sample) => {
      const fast = fastPathFor(type);
      expect(fast).toBeDefined();
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { maxLength: 3 }), async (mutations) => {
          const value = mutate(sample, mutations);
          const got = fast?.(jsonClone(value));
          const expected = await referenceOutcome(type, value);
          if (got === undefined) {
            // Refusing costs only speed (the pipe then answers). The fast path refuses what the
            // pipe refuses, and more only for what it leaves to the pipe on purpose: a key an
            // instance inherits (`toString`, `constructor`) and an array given for a nested object.
            const leftToPipe = mutations.some(
              (m) =>
                (m.kind === 'extra' && m.key in Object.prototype) ||
                (m.kind === 'set' && Array.isArray(m.value)),
            );
            if (!leftToPipe) expect(expected).toEqual({ refused: true });
            refused += 1;
            return;
          }
          accepted += 1;
          expect(expected).toEqual({ instance: expect.any(type) });
          expect(got).toStrictEqual((expected as { instance: unknown }).instance);
        }),
        { numRuns: 400 },
      );
      // Both outcomes were exercised (the valid sample itself is among the mutations of length 0).
      expect(accepted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    },
  );
});
