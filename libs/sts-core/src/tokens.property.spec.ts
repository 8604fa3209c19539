import fc from 'fast-check';
import { decodeCurrency, decodeUnitValue } from './amount';
import { StsError } from './errors';
import { parseToken } from './token-codec';
import { type Ea, createCipher } from './cipher';
import {
  buildCreditToken,
  buildKeyChangeTokens,
  buildManagementToken,
  buildTestToken,
  decodeToken,
} from './tokens';
import { hex } from './test-helpers';
import { VirtualMeter } from './virtual-meter';

const ea = fc.constantFrom<Ea>('07', '09', '11');
const keyFor = (e: Ea) =>
  fc.uint8Array({ minLength: e === '11' ? 16 : 8, maxLength: e === '11' ? 16 : 8 });
const eaAndKey = ea.chain((e) => keyFor(e).map((key) => ({ ea: e, key })));
const tid = fc.integer({ min: 0, max: 0xffffff });
const rnd = fc.integer({ min: 0, max: 15 });
/** A value on the 16-bit exponent/mantissa grid, so it round-trips exactly. */
const unitField = fc.integer({ min: 0, max: 0xffff });

describe('decode(build(x)) == x for every token type', () => {
  it('credit, units (subclasses 0-3)', () => {
    fc.assert(
      fc.property(
        eaAndKey,
        fc.integer({ min: 0, max: 3 }),
        rnd,
        tid,
        unitField,
        ({ ea, key }, subclass, r, t, field) => {
          const amount = decodeUnitValue(field) / 10;
          const cipher = createCipher(ea, key);
          const token = buildCreditToken(cipher, {
            subclass: subclass as 0,
            rnd: r,
            tid: t,
            amount,
          });
          expect(decodeToken(token, { cipher })).toEqual({
            class: 0,
            subclass,
            crcValid: true,
            kind: 'credit',
            rnd: r,
            tid: t,
            amount,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('credit, currency (subclasses 4-7), exponents up to 5', () => {
    fc.assert(
      fc.property(
        eaAndKey,
        fc.integer({ min: 4, max: 7 }),
        tid,
        fc.integer({ min: 0, max: 1 }),
        unitField,
        ({ ea, key }, subclass, t, se, field) => {
          const { amount } = decodeCurrency(se, field);
          const cipher = createCipher(ea, key);
          const token = buildCreditToken(cipher, { subclass: subclass as 4, tid: t, amount });
          expect(decodeToken(token, { cipher })).toMatchObject({
            class: 0,
            subclass,
            crcValid: true,
            tid: t,
            amount,
            negative: false,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('management (class 2 subclasses 0, 1, 2, 5, 6, 7)', () => {
    const valueFor: Record<number, fc.Arbitrary<number>> = {
      0: unitField.map(decodeUnitValue),
      1: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 65535),
      2: fc.integer({ min: 0, max: 65535 }),
      5: fc.constant(0),
      6: unitField.map(decodeUnitValue),
      7: fc.integer({ min: 0, max: 65535 }),
    };
    const request = fc
      .constantFrom(0, 1, 2, 5, 6, 7)
      .chain((subclass) =>
        fc.record({ subclass: fc.constant(subclass), value: valueFor[subclass], rnd, tid }),
      );
    fc.assert(
      fc.property(eaAndKey, request, ({ ea, key }, req) => {
        const cipher = createCipher(ea, key);
        const token = buildManagementToken(cipher, req);
        expect(decodeToken(token, { cipher })).toMatchObject({ class: 2, crcValid: true, ...req });
      }),
      { numRuns: 300 },
    );
  });

  it('test tokens (class 1)', () => {
    const req = fc.oneof(
      fc.record({
        subclass: fc.constant(0),
        control: fc.integer({ min: 0, max: 2 ** 36 - 1 }),
        manufacturerCode: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({
        subclass: fc.constant(1),
        control: fc.integer({ min: 0, max: 2 ** 28 - 1 }),
        manufacturerCode: fc.integer({ min: 0, max: 65535 }),
      }),
    );
    fc.assert(
      fc.property(req, (r) => {
        const decoded = decodeToken(buildTestToken(r));
        expect(decoded).toMatchObject({
          class: 1,
          subclass: r.subclass,
          crcValid: true,
          manufacturerCode: r.manufacturerCode,
        });
        expect(decoded.control).toBe(`0x${r.control.toString(16)}`);
      }),
    );
  });

  it('key-change sets: the sections carry the new key and its parameters', () => {
    const change = fc.record({
      keyType: fc.integer({ min: 0, max: 3 }),
      krn: fc.integer({ min: 1, max: 9 }),
      ti: fc.integer({ min: 0, max: 99 }),
      ken: fc.integer({ min: 0, max: 255 }),
      ro: fc.integer({ min: 0, max: 1 }),
      sgc: fc.integer({ min: 0, max: 999999 }),
    });
    fc.assert(
      fc.property(
        eaAndKey,
        fc.boolean(),
        change,
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        ({ ea, key }, wide, c, next) => {
          const newKey = wide ? next : next.subarray(0, 8);
          const cipher = createCipher(ea, key);
          const sgc = String(c.sgc).padStart(6, '0');
          const tokens = buildKeyChangeTokens(cipher, {
            newKey,
            keyType: c.keyType as 0,
            krn: c.krn,
            tariffIndex: String(c.ti).padStart(2, '0'),
            ken: c.ken,
            ro: c.ro as 0,
            sgc,
          });
          expect(tokens).toHaveLength(wide ? 4 : 2);
          const [s1, s2, s3, s4] = tokens.map((t) => decodeToken(t, { cipher }));
          expect(s1).toMatchObject({
            subclass: 3,
            kenho: c.ken >> 4,
            krn: c.krn,
            ro: c.ro,
            res: 0,
            kt: c.keyType,
          });
          expect(s2).toMatchObject({ subclass: 4, kenlo: c.ken & 15, ti: c.ti });
          const keyHex = wide
            ? `${s1.nkho}${s3.nkmo2}${s4.nkmo1}${s2.nklo}`
            : `${s1.nkho}${s2.nklo}`;
          expect(keyHex).toBe(hex(newKey));
          if (wide) expect(((s4.sgchi as number) << 12) | (s3.sgclo as number)).toBe(c.sgc);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the virtual meter accepts every token once and refuses it the second time', () => {
  const meterFor = (e: Ea, key: Uint8Array) =>
    new VirtualMeter({
      ea: e,
      decoderKey: key,
      keyType: 2,
      krn: 1,
      tariffIndex: '01',
      sgc: '123456',
      baseDate: 2014,
      ken: 255,
    });

  it('credit and management tokens with distinct TIDs: accepted, then USED', () => {
    fc.assert(
      fc.property(
        eaAndKey,
        fc.uniqueArray(tid, { minLength: 1, maxLength: 20 }),
        ({ ea, key }, tids) => {
          const cipher = createCipher(ea, key);
          const meter = meterFor(ea, key);
          const tokens = tids.map((t, i) =>
            i % 2 === 0
              ? buildCreditToken(cipher, { subclass: 0, tid: t, amount: 1 })
              : buildManagementToken(cipher, { subclass: 6, tid: t, value: 500 }),
          );
          const sorted = [...tids].sort((a, b) => a - b);
          for (const t of sorted) {
            const token = tokens[tids.indexOf(t)];
            expect(meter.enter(token).outcome).toMatch(/^(CREDIT|MANAGEMENT)_ACCEPTED$/);
            expect(meter.enter(token).outcome).toBe('REJECTED_USED');
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('key-change sets in any order: the key changes once; re-entering a section is refused', () => {
    fc.assert(
      fc.property(
        eaAndKey,
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.boolean(),
        ({ ea, key }, next, reverse) => {
          const newKey = ea === '11' ? next : next.subarray(0, 8);
          fc.pre(hex(newKey) !== hex(key));
          const meter = meterFor(ea, key);
          const tokens = buildKeyChangeTokens(createCipher(ea, key), {
            newKey,
            keyType: 2,
            krn: 2,
            tariffIndex: '01',
            ken: 255,
            ro: 0,
            sgc: '123456',
          });
          const order = reverse ? [...tokens].reverse() : tokens;
          order.forEach((t, i) =>
            expect(meter.enter(t).outcome).toBe(
              i === order.length - 1 ? 'KEY_CHANGED' : 'KEY_CHANGE_SECTION_STORED',
            ),
          );
          expect(meter.decoderKeyHex).toBe(hex(newKey));
          expect(meter.config.krn).toBe(2);
          for (const t of tokens) expect(meter.enter(t).outcome).toBe('REJECTED_CRC');
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('a single changed digit is caught', () => {
  it('at the CRC strength: about 1 in 65,536 changes slips through', () => {
    const runs = 30_000;
    let undetected = 0;
    fc.assert(
      fc.property(
        eaAndKey,
        tid,
        unitField,
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 1, max: 9 }),
        ({ ea, key }, t, field, pos, delta) => {
          const cipher = createCipher(ea, key);
          const token = buildCreditToken(cipher, {
            subclass: 0,
            tid: t,
            amount: decodeUnitValue(field) / 10,
          });
          const digit = (Number(token[pos]) + delta) % 10;
          const changed = token.slice(0, pos) + String(digit) + token.slice(pos + 1);
          let caught = true;
          try {
            caught = !decodeToken(changed, { cipher }).crcValid;
          } catch {
            caught = true; // not a token at all (above 2^66-1, or class 3)
          }
          if (!caught) undetected++;
        },
      ),
      { numRuns: runs, seed: 62055, endOnFailure: true },
    );
    // Expected undetected: runs / 65536 = 0.46. P(more than 6) < 1e-5 for a 16-bit CRC.
    expect(undetected).toBeLessThanOrEqual(6);
  });
});

describe('token parsing without BigInt', () => {
  it('agrees with a BigInt reference on every 20-digit string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }), (n) => {
        const text = n.toString().padStart(20, '0');
        const classBits = Number((n >> 27n) & 3n);
        if (n >= 1n << 66n || classBits === 3) {
          expect(() => parseToken(text)).toThrow(StsError);
          return;
        }
        const { tokenClass, block } = parseToken(text);
        expect(tokenClass).toBe(classBits);
        expect(block[0]).toBe(Number((n >> 32n) & 0xffffffffn));
        const restored = (n & 0xe7ffffffn) | ((n >> 64n) << 27n);
        expect(block[1]).toBe(Number(restored));
      }),
      { numRuns: 2000 },
    );
  });
});
