// Valid bodies of the vending routes' DTOs, shared by the validation fast path's suites.
import {
  CreditTokenRequestDto,
  DerivedKeyRequestDto,
  KeyChangeRequestDto,
  ManagementTokenRequestDto,
  TestTokenRequestDto,
} from '../../apps/key-service/src/vending/dto/vending-request.dto';

export const meter = {
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
export const SAMPLES: readonly [new () => object, Record<string, unknown>][] = [
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

/** A copy as the service's JSON parser would hand it over. */
export function jsonClone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
