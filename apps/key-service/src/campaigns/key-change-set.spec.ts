import { buildCreditToken, createCipher, type Ea, VirtualMeter, withCheckDigit } from '@sts/core';
import { InMemoryKeyCustody } from '@sts/hsm';
import { buildKeyChangeSets, type KeyChangePlan, rolloverBit } from './key-change-set';

const meter = (n: number) => ({ iin: '600727', drn: withCheckDigit(String(n).padStart(10, '0')) });

async function custodyWith(...labels: [string, 'DES' | 'HMAC'][]): Promise<InMemoryKeyCustody> {
  const custody = new InMemoryKeyCustody({ allowInsecureInMemoryKeys: true });
  for (const [label, algorithm] of labels) {
    await custody.generateKey({
      label,
      algorithm,
      usage: 'DERIVE',
      ...(algorithm === 'HMAC' ? { lengthBytes: 32 } : {}),
    });
  }
  return custody;
}

async function meterOn(custody: InMemoryKeyCustody, plan: KeyChangePlan, n: number, ea: Ea) {
  const s = plan.from;
  const key = await custody.deriveDecoderKey(s.label, {
    dkga: s.dkga,
    meter: meter(n),
    keyType: s.keyType,
    sgc: s.sgc,
    tariffIndex: s.tariffIndex,
    krn: s.krn,
    ...(s.dkga === '04' ? { baseDate: s.baseDate, ea } : {}),
  });
  return {
    vm: new VirtualMeter({
      ea,
      decoderKey: key,
      keyType: s.keyType,
      krn: s.krn,
      tariffIndex: s.tariffIndex,
      sgc: s.sgc,
      baseDate: s.baseDate,
      ken: s.ken,
    }),
    oldKey: key,
  };
}

describe('buildKeyChangeSets', () => {
  it('moves DKGA02 meters to the next KRN: 2 tokens, new key accepted, old refused', async () => {
    const custody = await custodyWith(['vk1', 'DES'], ['vk2', 'DES']);
    const plan: KeyChangePlan = {
      from: {
        label: 'vk1',
        dkga: '02',
        keyType: 2,
        sgc: '123456',
        krn: 1,
        tariffIndex: '01',
        baseDate: 1993,
        ken: 255,
      },
      to: {
        label: 'vk2',
        dkga: '02',
        keyType: 2,
        sgc: '123456',
        krn: 2,
        tariffIndex: '02',
        baseDate: 1993,
        ken: 255,
      },
      ro: 0,
    };
    const meters = [1, 2, 3].map((n) => ({ meter: meter(n), ea: '07' }));
    const out = await buildKeyChangeSets(custody, plan, meters);
    for (const [i, o] of out.entries()) {
      if (!o.ok) throw new Error(`meter ${i} failed: ${o.code}`);
      expect(o.tokens).toHaveLength(2);
      const { vm, oldKey } = await meterOn(custody, plan, i + 1, '07');
      expect(o.tokens.map((t) => vm.enter(t).outcome)).toEqual([
        'KEY_CHANGE_SECTION_STORED',
        'KEY_CHANGED',
      ]);
      expect(vm.config).toMatchObject({ krn: 2, tariffIndex: '02' });
      const tid = 5_000_000 + i;
      const newToken = buildCreditToken(createCipher('07', vm.decoderKeyHex), {
        subclass: 0,
        tid,
        amount: 10,
      });
      const oldToken = buildCreditToken(createCipher('07', oldKey), {
        subclass: 0,
        tid: tid + 1,
        amount: 10,
      });
      expect(vm.enter(oldToken).outcome).toBe('REJECTED_CRC');
      expect(vm.enter(newToken).outcome).toBe('CREDIT_ACCEPTED');
    }
  });

  it('rolls DKGA04 EA11 meters from 1993 to 2014 with RO: 4 tokens, TID memory cleared', async () => {
    const custody = await custodyWith(['h1', 'HMAC'], ['h2', 'HMAC']);
    const plan: KeyChangePlan = {
      from: {
        label: 'h1',
        dkga: '04',
        keyType: 2,
        sgc: '123457',
        krn: 1,
        tariffIndex: '01',
        baseDate: 1993,
        ken: 255,
      },
      to: {
        label: 'h2',
        dkga: '04',
        keyType: 2,
        sgc: '123457',
        krn: 2,
        tariffIndex: '01',
        baseDate: 2014,
        ken: 255,
      },
      ro: rolloverBit(1993, 2014),
    };
    expect(plan.ro).toBe(1);
    const [o] = await buildKeyChangeSets(custody, plan, [{ meter: meter(9), ea: '11' }]);
    if (!o.ok) throw new Error(o.code);
    expect(o.tokens).toHaveLength(4);
    const { vm } = await meterOn(custody, plan, 9, '11');
    const cipher = createCipher('11', vm.decoderKeyHex);
    expect(
      vm.enter(buildCreditToken(cipher, { subclass: 0, tid: 16_000_000, amount: 1 })).outcome,
    ).toBe('CREDIT_ACCEPTED');
    expect(vm.tidMemory).toEqual([16_000_000]);
    expect(o.tokens.map((t) => vm.enter(t).outcome).at(-1)).toBe('KEY_CHANGED');
    expect(vm.tidMemory).toEqual([]);
    const small = buildCreditToken(createCipher('11', vm.decoderKeyHex), {
      subclass: 0,
      tid: 600,
      amount: 1,
    });
    expect(vm.enter(small).outcome).toBe('CREDIT_ACCEPTED');
  });

  it('fails a meter whose combination is undefined (DKGA02 with EA11) and builds the others', async () => {
    const custody = await custodyWith(['vk1', 'DES'], ['vk2', 'DES']);
    const plan: KeyChangePlan = {
      from: {
        label: 'vk1',
        dkga: '02',
        keyType: 2,
        sgc: '123456',
        krn: 1,
        tariffIndex: '01',
        baseDate: 1993,
        ken: 255,
      },
      to: {
        label: 'vk2',
        dkga: '02',
        keyType: 2,
        sgc: '123456',
        krn: 2,
        tariffIndex: '01',
        baseDate: 1993,
        ken: 255,
      },
      ro: 0,
    };
    const out = await buildKeyChangeSets(custody, plan, [
      { meter: meter(1), ea: '11' },
      { meter: meter(2), ea: '07' },
    ]);
    expect(out[0]).toEqual({ ok: false, code: 'STS_UNSUPPORTED_COMBINATION' });
    expect(out[1].ok).toBe(true);
  });

  it('throws custody errors (missing key) instead of issuing half a batch', async () => {
    const custody = await custodyWith(['vk1', 'DES']);
    const plan: KeyChangePlan = {
      from: {
        label: 'vk1',
        dkga: '02',
        keyType: 2,
        sgc: '123456',
        krn: 1,
        tariffIndex: '01',
        baseDate: 1993,
        ken: 255,
      },
      to: {
        label: 'missing',
        dkga: '02',
        keyType: 2,
        sgc: '123456',
        krn: 2,
        tariffIndex: '01',
        baseDate: 1993,
        ken: 255,
      },
      ro: 0,
    };
    await expect(
      buildKeyChangeSets(custody, plan, [{ meter: meter(1), ea: '07' }]),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
