import { COMMANDS } from './commands';
import { buildRequest, main } from './main';

async function sts(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const error = jest.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const meterA = [
  '--iin',
  '600727',
  '--drn',
  '00000000000',
  '--key-type',
  '2',
  '--sgc',
  '123456',
  '--tariff-index',
  '01',
  '--krn',
  '1',
];
const vk02 = ['--dkga', '02', '--vending-key', 'abababababababab'];

describe('sts single-shot commands', () => {
  it('derive prints the decoder key', async () => {
    expect(await sts('derive', ...vk02, ...meterA)).toEqual({
      code: 0,
      out: 'e653341f9d5bf36f',
      err: '',
    });
  });

  it('credit with --issued-at prints the CTSA01-1 token; --json prints the batch result', async () => {
    const args = [
      'credit',
      '--ea',
      '07',
      ...vk02,
      ...meterA,
      '--subclass',
      '0',
      '--rnd',
      '5',
      '--issued-at',
      '2004-03-01T13:55',
      '--base-date',
      '1993',
      '--amount',
      '0.1',
    ];
    expect((await sts(...args)).out).toBe('23716100501183194197');
    expect(JSON.parse((await sts(...args, '--json')).out)).toEqual({
      token: '23716100501183194197',
      tid: 5871715,
    });
  });

  it('class2 and class1', async () => {
    expect(
      (
        await sts(
          'class2',
          '--ea',
          '07',
          '--decoder-key',
          'e653341f9d5bf36f',
          '--subclass',
          '0',
          '--rnd',
          '5',
          '--tid',
          '5910301',
          '--value',
          '1000',
        )
      ).out,
    ).toBe('50901894209860263092');
    expect(
      (await sts('class1', '--subclass', '1', '--control', '0xfffffff', '--manufacturer-code', '0'))
        .out,
    ).toBe('02305843005052951967');
  });

  it('key-change: shared key flags apply to both keys, prefixed ones to one (CTSA05-1)', async () => {
    const { code, out } = await sts(
      'key-change',
      '--ea',
      '07',
      '--dkga',
      '02',
      '--vending-key',
      'abababababababab',
      '--iin',
      '600727',
      '--drn',
      '00000000000',
      '--key-type',
      '2',
      '--sgc',
      '123456',
      '--krn',
      '1',
      '--current-tariff-index',
      '01',
      '--new-tariff-index',
      '02',
    );
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual(['51638423060042734509', '15361891762113502242']);
  });

  it('decode prints the fields', async () => {
    const { out } = await sts(
      'decode',
      '--ea',
      '07',
      '--decoder-key',
      'e653341f9d5bf36f',
      '--token',
      '23716100501183194197',
    );
    expect(out.split('\n')).toEqual([
      'class: 0',
      'subclass: 0',
      'crcValid: true',
      'rnd: 5',
      'tid: 5871715',
      'amount: 0.1',
    ]);
  });

  it.each([
    [
      [
        'credit',
        '--ea',
        '11',
        '--decoder-key',
        'e653341f9d5bf36f',
        '--subclass',
        '0',
        '--tid',
        '1',
        '--amount',
        '1',
      ],
      'key.decoderKey',
    ],
    [
      [
        'credit',
        '--ea',
        '07',
        '--decoder-key',
        'e653341f9d5bf36f',
        '--subclass',
        '0',
        '--tid',
        '1',
        '--amount',
        '-1',
      ],
      'amount',
    ],
    [
      [
        'credit',
        '--ea',
        '07',
        '--decoder-key',
        'e653341f9d5bf36f',
        '--subclass',
        '0',
        '--tid',
        '16777216',
        '--amount',
        '1',
      ],
      'tid',
    ],
    [['derive', ...vk02, ...meterA.slice(0, 2), '--drn', '00000000001', ...meterA.slice(4)], 'drn'],
    [['derive', '--dkga', '02', '--vending-key', 'abab', ...meterA], 'vendingKey'],
    [['derive', '--dkga', '02', '--vending-key', 'zzzzzzzzzzzzzzzz', ...meterA], 'vendingKey'],
    [
      [
        'derive',
        '--dkga',
        '04',
        '--vending-key',
        'abab',
        ...meterA,
        '--base-date',
        '1999',
        '--ea',
        '07',
      ],
      'baseDate',
    ],
    [['derive', ...vk02, ...meterA, '--ea', '11'], 'ea'],
    [['decode', '--ea', '07', '--decoder-key', 'e653341f9d5bf36f', '--token', '123'], 'token'],
  ])('bad input exits 2 naming the field: %j', async (argv, field) => {
    const { code, err } = await sts(...argv);
    expect(code).toBe(2);
    expect(err).toContain(field);
  });

  it('usage errors exit 2 with the message on stderr; --help and -h exit 0', async () => {
    expect((await sts('frobnicate')).code).toBe(2);
    expect((await sts('credit', '--no-such-flag', 'x')).code).toBe(2);
    const bare = await sts();
    expect(bare).toMatchObject({ code: 2, out: '' });
    expect(bare.err).toContain('Usage: sts <command>');
    const help = await sts('credit', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--amount');
    expect(help.out).toContain('--json');
    expect(await sts('credit', '-h')).toEqual(help);
    expect((await sts('--help')).out).toContain('key-change');
    expect((await sts('batch', '-h')).code).toBe(0);
  });

  it.each([['--ea', '07'], ['--decoder-key', 'e653341f9d5bf36f'], []])(
    'decode takes a class 1 token with key and ea optional (%j)',
    async (...flags) => {
      const { code, out } = await sts(
        'decode',
        '--token',
        '00000000000167774880',
        ...flags,
        '--json',
      );
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({
        class: 1,
        subclass: 0,
        crcValid: true,
        control: '0x2',
        manufacturerCode: 0,
      });
    },
  );

  it('class1 takes --control as 0x hex in either case, or as a decimal number', async () => {
    for (const control of ['0XFFFFFFFFF', '0xfffffffff', '68719476735']) {
      const args = ['--subclass', '0', '--control', control, '--manufacturer-code', '0'];
      expect((await sts('class1', ...args)).out).toBe('56493153725450313471');
    }
  });

  it("key-change: --current-ea and --new-ea are the key objects' own ea (CTSA26-1, DKGA04)", async () => {
    const flags = {
      ea: '07',
      'current-ea': '07',
      'new-ea': '07',
      dkga: '04',
      'vending-key': 'abababababababab949494949494949401234567',
      iin: '600727',
      drn: '00000000000',
      'key-type': '2',
      sgc: '123457',
      'tariff-index': '01',
      'current-krn': '4',
      'new-krn': '5',
      'current-base-date': '2014',
      'new-base-date': '2035',
      ro: '1',
    };
    const request = buildRequest('key-change', COMMANDS['key-change'], flags);
    expect(request.currentKey).toMatchObject({ ea: '07', krn: 4, baseDate: 2014 });
    expect(request.newKey).toMatchObject({ ea: '07', krn: 5, baseDate: 2035 });
    const { code, out } = await sts(
      'key-change',
      ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]),
    );
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual(['44163577485799480640', '26556810679164981397']);
  });
});
