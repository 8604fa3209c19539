import { createCipher } from './cipher';
import {
  buildCreditToken,
  buildKeyChangeTokens,
  buildManagementToken,
  buildTestToken,
} from './tokens';
import { bytes } from './test-helpers';
import { VirtualMeter, type VirtualMeterConfig } from './virtual-meter';

const DK = 'e653341f9d5bf36f';
const config: VirtualMeterConfig = {
  ea: '07',
  decoderKey: bytes(DK),
  keyType: 2,
  krn: 1,
  tariffIndex: '01',
  sgc: '123456',
  baseDate: 1993,
  ken: 255,
  tidMemorySize: 3,
};
const cipher = () => createCipher('07', DK);
const credit = (tid: number, amount = 1, subclass = 0) =>
  buildCreditToken(cipher(), { subclass: subclass as 0, tid, amount });

describe('VirtualMeter', () => {
  it('adds credit per subclass and refuses a replay as USED', () => {
    const meter = new VirtualMeter(config);
    expect(meter.enter(credit(100, 2.5)).outcome).toBe('CREDIT_ACCEPTED');
    expect(meter.enter(credit(101, 1, 1)).outcome).toBe('CREDIT_ACCEPTED');
    expect(meter.enter(credit(100, 2.5)).outcome).toBe('REJECTED_USED');
    expect(meter.credit).toEqual({ 0: 2.5, 1: 1 });
  });

  it('refuses a TID older than a full memory as OLD, and keeps accepting newer ones', () => {
    const meter = new VirtualMeter(config);
    for (const tid of [10, 20, 30])
      expect(meter.enter(credit(tid)).outcome).toBe('CREDIT_ACCEPTED');
    expect(meter.enter(credit(5)).outcome).toBe('REJECTED_OLD');
    expect(meter.enter(credit(15)).outcome).toBe('CREDIT_ACCEPTED'); // newer than the oldest remembered
    expect(meter.tidMemory).toEqual([15, 20, 30]);
  });

  it('refuses tokens past its KEN', () => {
    const meter = new VirtualMeter({ ...config, ken: 85 });
    expect(meter.enter(credit(5916090)).outcome).toBe('REJECTED_KEY_EXPIRED');
    expect(meter.enter(credit(4863485)).outcome).toBe('CREDIT_ACCEPTED');
  });

  it('refuses credit on a default key (DDTK), but accepts management tokens', () => {
    const meter = new VirtualMeter({ ...config, keyType: 1 });
    expect(meter.enter(credit(100)).outcome).toBe('REJECTED_DEFAULT_KEY');
    expect(
      meter.enter(buildManagementToken(cipher(), { subclass: 0, tid: 101, value: 1000 })).outcome,
    ).toBe('MANAGEMENT_ACCEPTED');
    expect(meter.managementSettings).toEqual({ maxPowerLimit: 1000 });
  });

  it('clears credit registers with ClearCredit', () => {
    const meter = new VirtualMeter(config);
    meter.enter(credit(100, 3));
    meter.enter(credit(101, 4, 1));
    expect(
      meter.enter(buildManagementToken(cipher(), { subclass: 1, tid: 102, value: 0 })).outcome,
    ).toBe('MANAGEMENT_ACCEPTED');
    expect(meter.credit).toEqual({ 0: 0, 1: 4 });
  });

  it("refuses another meter's token as a CRC failure, and non-tokens as format errors", () => {
    const meter = new VirtualMeter(config);
    const other = buildCreditToken(createCipher('07', 'e94023262e9993c2'), {
      subclass: 0,
      tid: 100,
      amount: 1,
    });
    expect(meter.enter(other).outcome).toBe('REJECTED_CRC');
    expect(meter.enter('1234').outcome).toBe('REJECTED_FORMAT');
  });

  it('accepts test tokens without a key, repeatedly', () => {
    const meter = new VirtualMeter(config);
    const token = buildTestToken({ subclass: 0, control: 0xfffffffff, manufacturerCode: 0 });
    expect(meter.enter(token).outcome).toBe('TEST_ACCEPTED');
    expect(meter.enter(token).outcome).toBe('TEST_ACCEPTED');
  });

  it('installs a new key from a complete set (CTSA05-1); credit is kept; old-key tokens are refused', () => {
    const meter = new VirtualMeter(config);
    meter.enter(credit(100, 7));
    expect(meter.enter('15361891762113502242').outcome).toBe('KEY_CHANGE_SECTION_STORED'); // section 2 first
    expect(meter.enter('51638423060042734509').outcome).toBe('KEY_CHANGED');
    expect(meter.decoderKeyHex).toBe('060b8643c59a27f1');
    expect(meter.config).toMatchObject({ keyType: 2, krn: 1, tariffIndex: '02', ken: 255 });
    expect(meter.credit).toEqual({ 0: 7 });
    expect(meter.enter(credit(200)).outcome).toBe('REJECTED_CRC');
    const next = buildCreditToken(createCipher('07', '060b8643c59a27f1'), {
      subclass: 0,
      tid: 200,
      amount: 1,
    });
    expect(meter.enter(next).outcome).toBe('CREDIT_ACCEPTED');
    expect(meter.tidMemory).toContain(100); // RO = 0 keeps the TID memory
  });

  it('RO = 1 clears the TID memory (rollover CTSA26), so small new-base TIDs are accepted', () => {
    const meter = new VirtualMeter({
      ...config,
      decoderKey: bytes('9dc0722c29a6cc0c'),
      krn: 4,
      baseDate: 2014,
    });
    const old = createCipher('07', '9dc0722c29a6cc0c');
    for (const tid of [16000000, 16000001, 16000002]) {
      expect(meter.enter(buildCreditToken(old, { subclass: 0, tid, amount: 1 })).outcome).toBe(
        'CREDIT_ACCEPTED',
      );
    }
    expect(meter.enter('44163577485799480640').outcome).toBe('KEY_CHANGE_SECTION_STORED');
    expect(meter.enter('26556810679164981397').outcome).toBe('KEY_CHANGED');
    meter.setBaseDate(2035);
    expect(meter.tidMemory).toEqual([]);
    expect(meter.enter('09239624803025986815').outcome).toBe('CREDIT_ACCEPTED'); // CTSA25, TID 480 on base 2035
    expect(meter.config).toMatchObject({ krn: 5, baseDate: 2035 });
  });

  it('EA11 meters need all four sections and learn the new SGC (M-CTSA19-4)', () => {
    const meter = new VirtualMeter({
      ...config,
      ea: '11',
      decoderKey: bytes('f94b6ed353c3bfdb113e2d3a7ea3c41d'),
      sgc: '123457',
    });
    const tokens = [
      '07926972461094669048',
      '38603700611597183668',
      '16084994560056931733',
      '14459740122691785207',
    ];
    tokens.forEach((t, i) =>
      expect(meter.enter(t).outcome).toBe(i < 3 ? 'KEY_CHANGE_SECTION_STORED' : 'KEY_CHANGED'),
    );
    expect(meter.config.sgc).toBe('123461');
    expect(meter.decoderKeyHex).toBe('62c1f3b0f96eac42ad670f20f52d7746');
  });

  it('refuses sections 3/4 on a 64-bit meter', () => {
    const meter = new VirtualMeter(config);
    const wide = buildKeyChangeTokens(cipher(), {
      newKey: bytes('62c1f3b0f96eac42ad670f20f52d7746'),
      keyType: 2,
      krn: 2,
      tariffIndex: '01',
      ken: 255,
      ro: 0,
      sgc: '123456',
    });
    expect(meter.enter(wide[2]).outcome).toBe('REJECTED_UNSUPPORTED');
  });

  it('drops a partial key-change set after its timeout (§13: about 10 minutes)', () => {
    let now = 0;
    const meter = new VirtualMeter({ ...config, keyChangeTimeoutMs: 600_000, clock: () => now });
    expect(meter.enter('51638423060042734509').outcome).toBe('KEY_CHANGE_SECTION_STORED'); // CTSA05-1 section 1
    now = 600_001;
    expect(meter.enter('15361891762113502242').outcome).toBe('KEY_CHANGE_SECTION_STORED'); // section 1 expired
    expect(meter.decoderKeyHex).toBe(DK);
    now += 600_000; // section 2 is still held: exactly at the limit
    expect(meter.enter('51638423060042734509').outcome).toBe('KEY_CHANGED');
    expect(meter.decoderKeyHex).toBe('060b8643c59a27f1');
  });

  it('refuses a bad timeout naming the field', () => {
    expect(() => new VirtualMeter({ ...config, keyChangeTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'keyChangeTimeoutMs' }),
    );
  });
});
