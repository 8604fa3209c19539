import fc from 'fast-check';
import { type BaseDate, VirtualMeter } from '@sts/core';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { auth, type Cast, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import { csvOf, parseResults, planAndApprove, results, runToEnd } from './campaign-support';
import {
  ALL_ALLOWED,
  decoderKeyOf,
  drn,
  loadKey,
  type LoadedKey,
  type MeterParams,
  onboardClient,
} from './vending.support';

/**
 * Random sequences of what happens to a supply group and its meters (rotations, with a base-date
 * rollover when the group started on 1993, purchases with `keyChange: "auto"`, key-change sets that a customer never
 * entered and the vending system reports, key changes asked for on their own, rekey campaigns
 * over the meters of a key): every answer,
 * entered in order, is accepted by a virtual meter that entered what the registry says it did.
 */

type Step =
  | { readonly kind: 'rotate' }
  | { readonly kind: 'purchase'; readonly meter: number }
  | { readonly kind: 'lost-purchase'; readonly meter: number }
  | { readonly kind: 'key-change-route'; readonly meter: number }
  | { readonly kind: 'campaign'; readonly meter: number };

const METERS = 2;
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('rotate' as const) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('purchase' as const), meter: fc.nat(METERS - 1) }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('lost-purchase' as const),
      meter: fc.nat(METERS - 1),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('key-change-route' as const),
      meter: fc.nat(METERS - 1),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('campaign' as const), meter: fc.nat(METERS - 1) }),
    weight: 2,
  },
);

/** A distinct second DES component for each revision a run loads. */
function component(n: number): string {
  return (0x1f2e3d4c5b6a7988n + BigInt(n) * 0x0102030405060708n)
    .toString(16)
    .slice(-16)
    .padStart(16, '0');
}

interface Answer {
  issuanceId: string;
  tokens: { token: string; tokenClass: number }[];
  keyChange?: { ro: number; newVendingKey: { id: string; krn: number; baseDate: number } };
}

describe('key change at the next purchase, over random sequences', () => {
  let svc: TestService;
  let cast: Cast;
  let runs = 0;
  let loaded = 0;
  let campaigns = 0;

  beforeAll(async () => {
    svc = await startService({ database: 'sqlite' });
    cast = await createCast(svc);
  });
  afterAll(async () => svc.close());

  it('every answer is accepted by a meter that followed the registry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(step, { minLength: 3, maxLength: 9 }),
        async (startOn1993, steps) => {
          runs += 1;
          const sgc = String(610000 + runs);
          await createSupplyGroup(svc, cast, sgc);
          const client = await onboardClient(svc, cast, `vendor-${sgc}`, [sgc], ALL_ALLOWED, false);
          const revisions: LoadedKey[] = [];
          const load = async (baseDate: BaseDate) => {
            loaded += 1;
            const key = await loadKey(svc, cast, {
              sgc,
              baseDate,
              components: [DEV_COMPONENTS.des[0], component(loaded)],
            });
            revisions.push(key);
            return key;
          };
          const first = await load(startOn1993 ? 1993 : 2014);
          const meters = Array.from({ length: METERS }, (_, i) => {
            const params: MeterParams = {
              iin: '600727',
              drn: drn(`${sgc}${String(i).padStart(4, '0')}`),
              sgc,
              krn: first.krn,
              tariffIndex: '01',
              ea: '07',
            };
            return { params, meter: meterOn(first, params), holds: first };
          });
          for (const m of meters) {
            expectStatus(
              await svc.http
                .put(`/api/v1/meter-keys/${m.params.iin}/${m.params.drn}`)
                .set(...auth(client.key))
                .send({ sgc, krn: first.krn, tariffIndex: '01', ea: '07' }),
              200,
            );
          }
          const enterAll = (m: (typeof meters)[number], answer: Answer) => {
            for (const t of answer.tokens) {
              const outcome = m.meter.enter(t.token).outcome;
              expect(['KEY_CHANGE_SECTION_STORED', 'KEY_CHANGED', 'CREDIT_ACCEPTED']).toContain(
                outcome,
              );
              if (outcome === 'KEY_CHANGED' && answer.keyChange) {
                m.meter.setBaseDate(answer.keyChange.newVendingKey.baseDate as BaseDate);
              }
            }
            if (answer.keyChange) {
              const id = answer.keyChange.newVendingKey.id;
              m.holds = revisions.find((r) => r.id === id) as LoadedKey;
            }
          };
          for (const s of steps) {
            const newest = revisions[revisions.length - 1];
            if (s.kind === 'rotate') {
              // Revisions after the first are on the 2014 base date: a meter on a 1993 key rolls over.
              if (revisions.length < 5) await load(2014);
              continue;
            }
            const m = meters[s.meter];
            const stated = { ...m.params, krn: m.holds.krn };
            if (s.kind === 'campaign') {
              // From the key this meter holds to the newest, for every meter on either; a campaign
              // moves meters to the next KRN only, so the meter must be on the one before.
              const from = m.holds;
              if (revisions.indexOf(from) !== revisions.length - 2) continue;
              const listed = meters.filter(
                (x) => x.holds.id === from.id || x.holds.id === newest.id,
              );
              const { id } = await planAndApprove(
                svc,
                cast,
                {
                  name: `run ${runs}`,
                  from: { sgc, krn: from.krn, tariffIndex: '01', baseDate: from.baseDate },
                  to: { sgc, krn: newest.krn, tariffIndex: '01', baseDate: newest.baseDate },
                  ea: '07',
                  chunkSize: 10,
                },
                csvOf(listed.map((x) => x.params)),
              );
              expect(await runToEnd(svc, cast, id)).toMatchObject({ state: 'completed' });
              campaigns += 1;
              const rows = parseResults(await results(svc, cast.officerA.key, id));
              for (const [i, row] of rows.entries()) {
                const x = listed[i];
                expect(row.status).toBe(x.holds.id === newest.id ? 'moved' : 'issued');
                if (row.status !== 'issued') continue;
                enterAll(x, {
                  issuanceId: id,
                  tokens: row.tokens.map((token) => ({ token, tokenClass: 2 })),
                  keyChange: {
                    ro: from.baseDate === newest.baseDate ? 0 : 1,
                    newVendingKey: { id: newest.id, krn: newest.krn, baseDate: newest.baseDate },
                  },
                });
              }
              continue;
            }
            if (s.kind === 'key-change-route') {
              if (m.holds.id === newest.id) continue;
              const res = await svc.http
                .post('/api/v1/vending/tokens/key-change')
                .set(...auth(client.key))
                .send({ meter: stated, target: { sgc, krn: newest.krn, tariffIndex: '01' } });
              enterAll(m, { ...(expectStatus(res, 201).body as Answer) });
              continue;
            }
            const res = await svc.http
              .post('/api/v1/vending/tokens/credit')
              .set(...auth(client.key))
              .send({ meter: stated, subclass: 0, amount: '1', keyChange: 'auto' });
            if (m.holds.baseDate === 1993 && newest.id === m.holds.id) {
              // Nothing to move to yet, and the 1993 base date ran out of TIDs in 2024.
              expect(res.body.code).toBe('STS_TID_OUT_OF_RANGE');
              continue;
            }
            const answer = expectStatus(res, 201).body as Answer;
            if (s.kind === 'lost-purchase' && answer.keyChange) {
              expectStatus(
                await svc.http
                  .post(`/api/v1/meter-keys/${m.params.iin}/${m.params.drn}/key-change-refusals`)
                  .set(...auth(client.key))
                  .send({ changeId: answer.issuanceId }),
                200,
              );
              continue;
            }
            enterAll(m, answer);
          }
        },
      ),
      {
        numRuns: 12,
        endOnFailure: true,
        // Always among the runs: a rollover met by a purchase, a campaign over both meters and a
        // lost set.
        examples: [
          [
            true,
            [
              { kind: 'rotate' },
              { kind: 'purchase', meter: 0 },
              { kind: 'campaign', meter: 1 },
              { kind: 'purchase', meter: 1 },
              { kind: 'rotate' },
              { kind: 'lost-purchase', meter: 0 },
              { kind: 'purchase', meter: 0 },
            ],
          ],
        ],
      },
    );
    expect(runs).toBeGreaterThanOrEqual(12);
    expect(campaigns).toBeGreaterThan(0);
  });
});

function meterOn(key: LoadedKey, params: MeterParams): VirtualMeter {
  return new VirtualMeter({
    ea: params.ea,
    decoderKey: decoderKeyOf(key, params),
    keyType: 2,
    krn: key.krn,
    tariffIndex: params.tariffIndex,
    sgc: key.sgc,
    baseDate: key.baseDate,
    ken: key.ken,
    tidMemorySize: 500,
  });
}
