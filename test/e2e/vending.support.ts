import {
  type BaseDate,
  createCipher,
  deriveDecoderKey,
  type Ea,
  parseDerivationInput,
  VirtualMeter,
  withCheckDigit,
} from '@sts/core';
import { HsmError, type KeyCustody } from '@sts/hsm';
import { DataSource } from 'typeorm';
import type { TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS, kcvOf, xorHex } from '../helpers/key-material';
import { approve, auth, type Cast, expectStatus } from '../helpers/workflows';

/** A vending key loaded for the vending suites, with the dev value the test may use to check. */
export interface LoadedKey {
  readonly id: string;
  readonly sgc: string;
  readonly krn: number;
  readonly type: 'VDDK' | 'VUDK' | 'VCDK';
  readonly dkga: '02' | '04';
  readonly baseDate: BaseDate;
  readonly ken: number;
  /** DEVELOPMENT-ONLY key value (the suites know it; the service never returns it). */
  readonly valueHex: string;
}

export interface KeySpecForTest {
  readonly sgc: string;
  readonly type?: 'VDDK' | 'VUDK' | 'VCDK';
  readonly dkga?: '02' | '04';
  readonly baseDate?: BaseDate;
  readonly ken?: number;
  readonly allowedEas?: string[];
  readonly components?: readonly string[];
  readonly issueUntil?: string;
  /** Activation effective at this time (scheduled). */
  readonly effectiveAt?: string;
}

/** Loads a revision by ceremony (any algorithm) and activates it under dual control. */
export async function loadKey(
  svc: TestService,
  cast: Cast,
  spec: KeySpecForTest,
): Promise<LoadedKey> {
  const dkga = spec.dkga ?? '02';
  const algorithm = dkga === '02' ? 'DES' : 'HMAC';
  const components =
    spec.components ?? (dkga === '02' ? DEV_COMPONENTS.des.slice(0, 2) : DEV_COMPONENTS.hmac);
  const value = xorHex(components);
  const body = {
    keyType: spec.type ?? 'VUDK',
    dkga,
    ...(dkga === '04' ? { keyLengthBytes: value.length / 2 } : {}),
    allowedEas: spec.allowedEas ?? (dkga === '02' ? ['07', '09'] : ['07', '11']),
    baseDate: spec.baseDate ?? 2014,
    ken: spec.ken ?? 255,
    expectedKcv: kcvOf(algorithm, value),
    loadMethod: 'ceremony',
    componentCount: components.length,
    ...(spec.issueUntil ? { issueUntil: spec.issueUntil } : {}),
  };
  const start = expectStatus(
    await svc.http
      .post(`/api/v1/supply-groups/${spec.sgc}/vending-keys`)
      .set(...auth(cast.officerA.key))
      .send(body),
    201,
  );
  const id = start.body.vendingKey.id as string;
  for (let i = 0; i < components.length; i++) {
    expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${start.body.ceremony.id as string}/components`)
        .set(...auth(cast.custodians[i].key))
        .send({ component: components[i], kcv: kcvOf(algorithm, components[i]) }),
      200,
    );
  }
  const approval = expectStatus(
    await svc.http
      .post(`/api/v1/vending-keys/${id}/activate`)
      .set(...auth(cast.officerA.key))
      .send(spec.effectiveAt ? { effectiveAt: spec.effectiveAt } : {}),
    202,
  );
  await approve(
    svc,
    cast.officerB.key,
    approval.body.id as string,
    approval.body.payloadHash as string,
  );
  return {
    id,
    sgc: spec.sgc,
    krn: start.body.vendingKey.krn as number,
    type: body.keyType,
    dkga,
    baseDate: body.baseDate,
    ken: body.ken,
    valueHex: value,
  };
}

const KT = { VDDK: 1, VUDK: 2, VCDK: 3 } as const;

/** A meter's identity and key parameters as the vending requests state them. */
export interface MeterParams {
  readonly iin: string;
  readonly drn: string;
  readonly sgc: string;
  readonly krn: number;
  readonly tariffIndex: string;
  readonly ea: Ea;
}

/** The DRN with a valid check digit for a 10-digit body. */
export function drn(body10: string): string {
  return withCheckDigit(body10);
}

/** The meter's decoder key, computed in the test from the dev key value (never by the service). */
export function decoderKeyOf(key: LoadedKey, meter: Omit<MeterParams, 'sgc' | 'krn'>): Uint8Array {
  const input = parseDerivationInput({
    dkga: key.dkga,
    iin: meter.iin,
    drn: meter.drn,
    keyType: KT[key.type],
    sgc: key.sgc,
    tariffIndex: meter.tariffIndex,
    krn: key.krn,
    baseDate: key.baseDate,
    ea: meter.ea,
  });
  return deriveDecoderKey(Buffer.from(key.valueHex, 'hex'), input);
}

/** A virtual meter that holds `key`'s decoder key for `meter`. */
export function virtualMeter(key: LoadedKey, meter: MeterParams): VirtualMeter {
  return new VirtualMeter({
    ea: meter.ea,
    decoderKey: decoderKeyOf(key, meter),
    keyType: KT[key.type],
    krn: key.krn,
    tariffIndex: meter.tariffIndex,
    sgc: key.sgc,
    baseDate: key.baseDate,
    ken: key.ken,
    tidMemorySize: 500,
  });
}

/** A cipher for making tokens in the test under a key the service would no longer use. */
export function testCipher(key: LoadedKey, meter: MeterParams) {
  return createCipher(meter.ea, decoderKeyOf(key, meter));
}

/** A custody whose token can be made to fail (unavailable) on demand. */
export interface FailingCustody {
  failing: boolean;
  wrap(inner: KeyCustody): KeyCustody;
}

export function failingCustody(): FailingCustody {
  const state: FailingCustody = {
    failing: false,
    wrap(inner) {
      return new Proxy(inner, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (state.failing && prop !== 'close') {
              return Promise.reject(new HsmError('UNAVAILABLE', 'token removed (test)'));
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
  return state;
}

/** Row counts of the vending tables (to show that a refused request recorded nothing). */
export async function vendingCounts(
  svc: TestService,
): Promise<{ issuances: number; tids: number; tidSum: number }> {
  const ds = svc.app.get(DataSource);
  const [i] = await ds.query<{ n: string }[]>('SELECT COUNT(*) AS n FROM vending_issuances');
  const [t] = await ds.query<{ n: string; s: string | null }[]>(
    'SELECT COUNT(*) AS n, SUM(last_tid) AS s FROM vending_tid_allocations',
  );
  return { issuances: Number(i.n), tids: Number(t.n), tidSum: Number(t.s ?? 0) };
}

/** Onboards a vending client: principal, profile, transport key by ceremony of two custodians. */
export async function onboardClient(
  svc: TestService,
  cast: Cast,
  name: string,
  scope: string[],
  profile: Record<string, unknown>,
  withTransportKey = true,
): Promise<{ id: string; key: string; transportKeyHex: string }> {
  const client = await svc.principal(['vending-client'], name, scope);
  expectStatus(
    await svc.http
      .put(`/api/v1/vending-clients/${client.id}`)
      .set(...auth(cast.officerA.key))
      .send(profile),
    200,
  );
  const aes = DEV_COMPONENTS.aes;
  const transportKeyHex = xorHex(aes);
  if (withTransportKey) {
    const created = expectStatus(
      await svc.http
        .post(`/api/v1/vending-clients/${client.id}/transport-keys`)
        .set(...auth(cast.officerA.key))
        .send({ lengthBytes: 16, expectedKcv: kcvOf('AES', transportKeyHex), componentCount: 2 }),
      201,
    );
    for (let i = 0; i < aes.length; i++) {
      expectStatus(
        await svc.http
          .post(`/api/v1/ceremonies/${created.body.ceremony.id as string}/components`)
          .set(...auth(cast.custodians[i].key))
          .send({ component: aes[i], kcv: kcvOf('AES', aes[i]) }),
        200,
      );
    }
  }
  return { ...client, transportKeyHex };
}

export const ALL_ALLOWED = {
  creditSubclasses: [0, 1, 2, 3, 4, 5, 6, 7],
  managementSubclasses: [0, 1, 2, 5, 6, 7],
  testSubclasses: [0, 1],
  keyChangeAllowed: true,
  ratePerSecond: 10_000,
  burst: 10_000,
};
