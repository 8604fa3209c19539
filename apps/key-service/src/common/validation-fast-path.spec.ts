import 'reflect-metadata';
import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { CreateSupplyGroupDto } from '../supply-groups/dto/supply-group.dto';
import { UpsertVendingClientDto } from '../vending/dto/vending-client.dto';
import {
  CreditTokenRequestDto,
  DerivedKeyRequestDto,
  KeyChangeRequestDto,
  ManagementTokenRequestDto,
  TestTokenRequestDto,
} from '../vending/dto/vending-request.dto';
import { createValidationPipe } from './validation';
import { fastPathFor } from './validation-fast-path';

/** The pipe the fast path stands in for: the service's options, without the fast path. */
const reference = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
});

const meter = {
  iin: '600727',
  drn: '01234567890',
  sgc: '123456',
  krn: 1,
  tariffIndex: '01',
  ea: '07',
  keyType: 2,
  baseDate: 2014,
};

/** A valid body of each DTO the vending routes take. */
const SAMPLES: readonly [new () => object, Record<string, unknown>][] = [
  [DerivedKeyRequestDto, { meter }],
  [CreditTokenRequestDto, { meter, subclass: 4, amount: '25.60001' }],
  [ManagementTokenRequestDto, { meter, subclass: 0, value: 5000 }],
  [
    TestTokenRequestDto,
    {
      meter: { iin: '6007', drn: '0123456789012' },
      subclass: 1,
      control: '0x1f',
      manufacturerCode: 7,
    },
  ],
  [KeyChangeRequestDto, { meter, target: { sgc: '654321', krn: 2, tariffIndex: '02', ea: '11' } }],
];

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

/** A copy as the service's JSON parser would hand it over. */
function jsonClone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
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

  it('accepts each valid sample, building the nested instances', () => {
    for (const [type, sample] of SAMPLES) {
      const got = fastPathFor(type)?.(jsonClone(sample));
      expect(got).toBeInstanceOf(type);
      expect(JSON.parse(JSON.stringify(got))).toEqual(sample);
    }
    const credit = fastPathFor(CreditTokenRequestDto)?.(jsonClone(SAMPLES[1][1]));
    expect(credit?.meter.constructor.name).toBe('MeterKeyDto');
  });

  it('refuses null for an omittable field and an array for a nested object, as the pipe does', async () => {
    const fast = fastPathFor(CreditTokenRequestDto);
    const credit = SAMPLES[1][1];
    for (const value of [
      { ...credit, meter: { ...meter, keyType: null } },
      { ...credit, meter: { ...meter, baseDate: null } },
      { ...credit, meter: [meter] },
    ]) {
      expect(fast?.(jsonClone(value))).toBeUndefined();
      expect(await referenceOutcome(CreditTokenRequestDto, value)).toEqual({ refused: true });
    }
    const { keyType: _keyType, ...withoutKeyType } = meter;
    expect(fast?.(jsonClone({ ...credit, meter: withoutKeyType }))).toBeInstanceOf(
      CreditTokenRequestDto,
    );
  });

  it('has no fast path for a DTO with a rule it does not know (conditional, length)', () => {
    expect(fastPathFor(UpsertVendingClientDto)).toBeUndefined(); // @ValidateIf
    expect(fastPathFor(CreateSupplyGroupDto)).toBeUndefined(); // @Length
  });

  it("leaves the errors to the pipe: the service's pipe refuses as before, naming the field", async () => {
    const pipe = createValidationPipe();
    const bad = { ...SAMPLES[1][1], amount: 25.6 };
    await expect(pipe.transform(bad, body(CreditTokenRequestDto))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: {
        fields: [
          { field: 'amount', message: 'amount must be a decimal number more than zero' },
          { field: 'amount', message: 'amount must be a string' },
        ],
      },
    });
    const extra = { ...SAMPLES[1][1], meter: { ...meter, extra: 1 } };
    await expect(pipe.transform(extra, body(CreditTokenRequestDto))).rejects.toMatchObject({
      details: { fields: [{ field: 'meter.extra' }] },
    });
  });
});
