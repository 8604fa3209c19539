import { StsError } from './errors';
import { executeRequest } from './requests';
import { SPEC_VECTOR_FILE, type Vector, loadVectors } from '../test/vectors';

const vectors = loadVectors();
const specVectors = loadVectors(SPEC_VECTOR_FILE);

function check(vector: Vector): void {
  if (vector.expect.errorPresent === true) {
    expect(() => executeRequest(vector.request)).toThrow(StsError);
    if (vector.expect.errorCode !== undefined) {
      expect(() => executeRequest(vector.request)).toThrow(
        expect.objectContaining({ code: vector.expect.errorCode }),
      );
    }
    return;
  }
  const result = executeRequest(vector.request);
  for (const [field, value] of Object.entries(vector.expect)) {
    expect({ [field]: result[field] }).toEqual({ [field]: value });
  }
}

describe('conformance vectors through the library (executeRequest)', () => {
  it('has the whole vector file', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(204);
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => check(vector));
});

describe('the spec’s worked examples and Appendix A as requests (test/vectors/spec-vectors.jsonl)', () => {
  it('has the whole file, with unique ids', () => {
    expect(specVectors.length).toBeGreaterThanOrEqual(99);
    expect(new Set(specVectors.map((v) => v.id)).size).toBe(specVectors.length);
  });

  it.each(specVectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => check(vector));
});

describe('bad input at the request entry point names the field', () => {
  const derived02 = {
    dkga: '02',
    vendingKey: 'abababababababab',
    iin: '600727',
    drn: '00000000000',
    keyType: 2,
    sgc: '123456',
    tariffIndex: '01',
    krn: 1,
  };
  const credit = {
    op: 'credit',
    ea: '07',
    key: derived02,
    subclass: 0,
    rnd: 5,
    tid: 5871715,
    amount: 0.1,
  };
  it.each([
    [{ ...credit, ea: '11' }, 'UNSUPPORTED_COMBINATION', 'key.ea'],
    [
      { ...credit, ea: '11', key: { decoderKey: 'e653341f9d5bf36f' } },
      'INVALID_INPUT',
      'key.decoderKey',
    ],
    [{ ...credit, ea: '08' }, 'INVALID_INPUT', 'ea'],
    [{ ...credit, key: { ...derived02, vendingKey: 'abab' } }, 'INVALID_INPUT', 'key.vendingKey'],
    [
      { ...credit, key: { ...derived02, vendingKey: 'abababababababaz' } },
      'INVALID_INPUT',
      'key.vendingKey',
    ],
    [{ ...credit, key: { ...derived02, sgc: '12345' } }, 'INVALID_INPUT', 'key.sgc'],
    [{ ...credit, key: { ...derived02, drn: '00000000001' } }, 'INVALID_INPUT', 'key.drn'],
    [{ ...credit, key: { ...derived02, drn: '0000000000' } }, 'INVALID_INPUT', 'key.drn'],
    [{ ...credit, key: { ...derived02, krn: 10 } }, 'INVALID_INPUT', 'key.krn'],
    [{ ...credit, key: { ...derived02, keyType: 4 } }, 'INVALID_INPUT', 'key.keyType'],
    [{ ...credit, key: { ...derived02, tariffIndex: '100' } }, 'INVALID_INPUT', 'key.tariffIndex'],
    [
      { ...credit, key: { ...derived02, dkga: '04', ea: '07', baseDate: 2001 } },
      'INVALID_INPUT',
      'key.baseDate',
    ],
    [
      { ...credit, key: { decoderKey: 'e653341f9d5bf36f', vendingKey: 'abababababababab' } },
      'INVALID_INPUT',
      'key.vendingKey',
    ],
    [{ ...credit, key: 'e653341f9d5bf36f' }, 'INVALID_INPUT', 'key'],
    [{ ...credit, amount: -1 }, 'INVALID_AMOUNT', 'amount'],
    [{ ...credit, amount: 1e9 }, 'INVALID_AMOUNT', 'amount'],
    [{ ...credit, amount: 0.01 }, 'INVALID_AMOUNT', 'amount'],
    [{ ...credit, amount: undefined }, 'INVALID_INPUT', 'amount'],
    [{ ...credit, tid: 0x1000000 }, 'TID_OUT_OF_RANGE', 'tid'],
    [
      { ...credit, tid: undefined, issuedAt: '2030-01-01T00:00', baseDate: 1993 },
      'TID_OUT_OF_RANGE',
      'issuedAt',
    ],
    [
      { ...credit, tid: undefined, issuedAt: '2004-03-01T13:55', baseDate: 1990 },
      'INVALID_INPUT',
      'baseDate',
    ],
    [{ ...credit, tid: 5916090, ken: 85 }, 'KEY_EXPIRED', 'tid'],
    [{ ...credit, rnd: 16 }, 'INVALID_INPUT', 'rnd'],
    [
      {
        op: 'derive',
        ...derived02,
        dkga: '04',
        vendingKey: 'ab',
        baseDate: 1993,
        ea: '11',
        keyType: 3,
      },
      'UNSUPPORTED_COMBINATION',
      'keyType',
    ],
    [{ op: 'derive', ...derived02, dkga: '03' }, 'UNSUPPORTED', 'dkga'],
    [
      {
        op: 'key-change',
        ea: '11',
        currentKey: { decoderKey: 'e653341f9d5bf36f' },
        newKey: { decoderKey: 'e653341f9d5bf36f', keyType: 2, krn: 1, tariffIndex: '01' },
      },
      'INVALID_INPUT',
      'currentKey.decoderKey',
    ],
    [
      {
        op: 'key-change',
        ea: '07',
        currentKey: { decoderKey: 'e653341f9d5bf36f' },
        newKey: { decoderKey: 'e653341f9d5bf36f', keyType: 2, krn: 1 },
      },
      'INVALID_INPUT',
      'newKey.tariffIndex',
    ],
    [
      {
        op: 'key-change',
        ea: '07',
        currentKey: { decoderKey: 'e653341f9d5bf36f' },
        newKey: {
          decoderKey: '00112233445566778899aabbccddeeff',
          keyType: 2,
          krn: 1,
          tariffIndex: '01',
        },
      },
      'INVALID_INPUT',
      'newKey.sgc',
    ],
    [
      {
        op: 'decode',
        ea: '07',
        key: { decoderKey: 'e653341f9d5bf36f' },
        token: '23716100501183194197',
        crc: 'crc32',
      },
      'INVALID_INPUT',
      'crc',
    ],
    [
      {
        op: 'class2',
        ea: '07',
        key: { decoderKey: 'e653341f9d5bf36f' },
        subclass: 3,
        tid: 1,
        value: 0,
      },
      'INVALID_INPUT',
      'subclass',
    ],
  ])('%j -> %s naming %s', (request, code, field) => {
    expect(() => executeRequest(request)).toThrow(expect.objectContaining({ code, field }));
  });

  it('can refuse vending keys outright', () => {
    expect(() => executeRequest(credit, { forbidVendingKeys: true })).toThrow(
      expect.objectContaining({ field: 'key.vendingKey' }),
    );
  });
});

describe('decode: class 1 needs neither key nor EA (contracts/sts-cli.md)', () => {
  // STS-SPEC §5.2: subclass 0, control fffffffff, manufacturer 0.
  const token = '56493153725450313471';
  const expected = {
    class: 1,
    subclass: 0,
    crcValid: true,
    control: '0xfffffffff',
    manufacturerCode: 0,
  };
  it.each([
    ['neither', {}],
    ['ea alone', { ea: '07' }],
    ['key alone', { key: { decoderKey: 'e653341f9d5bf36f' } }],
    ['both', { ea: '11', key: { decoderKey: 'f94b6ed353c3bfdb113e2d3a7ea3c41d' } }],
  ])('with %s', (_name, extra) => {
    expect(executeRequest({ op: 'decode', token, ...extra })).toEqual(expected);
  });

  it('class 0 and 2 tokens still need both', () => {
    expect(() => executeRequest({ op: 'decode', token: '23716100501183194197' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'ea' }),
    );
    expect(() => executeRequest({ op: 'decode', ea: '07', token: '23716100501183194197' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'key' }),
    );
  });
});

describe('DKGA04 keys carry their EA and base date (STS-SPEC §12.3, §13)', () => {
  const key04 = {
    dkga: '04',
    vendingKey: 'abababababababab949494949494949401234567',
    iin: '600727',
    drn: '00000000000',
    keyType: 2,
    sgc: '123457',
    tariffIndex: '01',
    krn: 1,
    baseDate: 1993,
    ea: '07',
  };
  const credit = { op: 'credit', ea: '07', key: key04, subclass: 0, rnd: 5, amount: 0.1 };

  it('CTSA25: the base date comes from the key when the request omits it', () => {
    expect(executeRequest({ ...credit, issuedAt: '2009-01-01T08:00' })).toEqual({
      token: '15697331168573253829',
      tid: 8415840,
    });
  });

  it('refuses a request base date other than the key’s', () => {
    expect(() =>
      executeRequest({ ...credit, issuedAt: '2014-01-01T08:00', baseDate: 2014 }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_COMBINATION', field: 'baseDate' }));
  });

  it('refuses a key derived for another EA than the request’s', () => {
    expect(() => executeRequest({ ...credit, ea: '11', tid: 1 })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COMBINATION', field: 'key.ea' }),
    );
  });

  it('M-CTSA05-2: an omitted RO is 1 when the base date changes (1993 -> 2014)', () => {
    const request = {
      op: 'key-change',
      ea: '11',
      currentKey: { ...key04, ea: '11' },
      newKey: { ...key04, ea: '11', baseDate: 2014, krn: 4, tariffIndex: '02' },
      ken: 255,
    };
    const { tokens } = executeRequest(request) as { tokens: string[] };
    expect(tokens.slice(0, 2)).toEqual(['56493341861242437581', '51757380361191578258']);
    expect(executeRequest({ ...request, ro: 1 })).toEqual({ tokens });
    expect(
      executeRequest({
        op: 'decode',
        ea: '11',
        key: { ...key04, ea: '11' },
        token: tokens[0],
      }),
    ).toMatchObject({ subclass: 3, ro: 1, krn: 4 });
  });

  it('an omitted RO stays 0 when the base date does not change (M-CTSA19-4)', () => {
    const { tokens } = executeRequest({
      op: 'key-change',
      ea: '11',
      currentKey: { ...key04, ea: '11' },
      newKey: { ...key04, ea: '11', sgc: '123461' },
    }) as { tokens: string[] };
    expect(tokens).toEqual([
      '14459740122691785207',
      '16084994560056931733',
      '38603700611597183668',
      '07926972461094669048',
    ]);
  });
});
