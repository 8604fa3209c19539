/** The single-shot commands: their flags (kebab-case mirrors of the batch fields) and help. */

/** Flags that describe a key object (given decoder key, or a derivation). */
export const KEY_FLAGS = [
  'decoder-key',
  'dkga',
  'vending-key',
  'iin',
  'drn',
  'key-type',
  'sgc',
  'tariff-index',
  'krn',
  'base-date',
] as const;

export interface CommandSpec {
  readonly summary: string;
  /** Top-level request flags. */
  readonly flags: readonly string[];
  /** Whether the command takes a key object (`key`), or a current and a new one. */
  readonly keys: 'none' | 'key' | 'derive' | 'key-change';
  readonly usage: string;
}

const KEY_HELP = `Key object (a given key, or a derivation from a vending key):
  --decoder-key HEX          the decoder key (16 hex digits, 32 for EA11)
  --dkga 02|04               derive it instead, with:
  --vending-key HEX          vending key (DEVELOPMENT AND TEST USE: real vending keys belong in an HSM)
  --iin DIGITS --drn DIGITS  meter: IIN 600727 + 11-digit DRN, or IIN 0000 + 13-digit DRN (with check digit)
  --key-type 0-3 --sgc 6DIGITS --tariff-index 2DIGITS --krn 1-9
  --base-date 1993|2014|2035 (DKGA04; also the base date for --issued-at)`;

const TID_HELP = `  --tid N                    token identifier (minutes since the base date), or
  --issued-at YYYY-MM-DDTHH:MM --base-date 1993|2014|2035   wall-clock issue time, no zone
  --ken 0-255                optional: refuse a TID past this key expiry number`;

const EA_HELP =
  '  --ea 07|09|11              encryption algorithm (EA09 is unverified: no public vectors)';

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  derive: {
    summary: 'derive a decoder key (DKGA02 or DKGA04) and print it as hex',
    flags: ['ea'],
    keys: 'derive',
    usage: `sts derive --dkga 02|04 --vending-key HEX --iin DIGITS --drn DIGITS --key-type N --sgc DIGITS
           --tariff-index DIGITS --krn N [--base-date YEAR --ea 07|11 (DKGA04)]

  --ea 07|11                 DKGA04 only: key length (07: 64 bits, 11: 128 bits)
${KEY_HELP}`,
  },
  credit: {
    summary: 'make a class 0 credit token',
    flags: ['ea', 'subclass', 'rnd', 'tid', 'issued-at', 'amount', 'ken'],
    keys: 'key',
    usage: `sts credit --ea 07|09|11 <key> --subclass 0-7 --amount N (--tid N | --issued-at T --base-date Y) [--rnd 0-15]

${EA_HELP}
  --subclass 0-7             0 electricity, 1 water, 2 gas, 3 time (units, 0.1 resolution);
                             4-7 the same as currency (0.00001 resolution, CRC_C)
  --amount N                 units or currency, as decimal text
  --rnd 0-15                 random nibble (random when omitted)
${TID_HELP}
${KEY_HELP}`,
  },
  class2: {
    summary: 'make a class 2 management token (subclasses 0, 1, 2, 5, 6, 7)',
    flags: ['ea', 'subclass', 'rnd', 'tid', 'issued-at', 'value', 'ken'],
    keys: 'key',
    usage: `sts class2 --ea 07|09|11 <key> --subclass 0|1|2|5|6|7 --value N (--tid N | --issued-at T --base-date Y) [--rnd 0-15]

${EA_HELP}
  --subclass N               0 max power limit (W), 1 clear credit (register 0-7, 65535 = all),
                             2 tariff rate (raw), 5 clear tamper (0), 6 max phase power unbalance (W),
                             7 water meter factor (raw)
  --value N
${TID_HELP}
${KEY_HELP}`,
  },
  class1: {
    summary: 'make a class 1 meter test/display token (never encrypted)',
    flags: ['subclass', 'control', 'manufacturer-code'],
    keys: 'none',
    usage: `sts class1 --subclass 0|1 --control 0xHEX|N --manufacturer-code N

  --subclass 0|1             0: 36 control bits, 8-bit manufacturer code; 1: 28 bits, 16-bit code
  --control 0xHEX|N          bit n-1 requests test n (all bits set: all tests)
  --manufacturer-code N`,
  },
  'key-change': {
    summary: 'make the key-change token set (2 tokens for 64-bit keys, 4 for 128-bit keys)',
    flags: ['ea', 'ken', 'ro'],
    keys: 'key-change',
    usage: `sts key-change --ea 07|09|11 <current key> <new key> [--ken 0-255] [--ro 0|1]

${EA_HELP} (the current key's EA; every section is encrypted with the current key)
  --ken 0-255                the new key's expiry number (default 255: never expires)
  --ro 0|1                   rollover: 1 clears the meter's TID memory (base-date change only)

Key flags without a prefix apply to both keys; prefix them with --current- or --new- for one key,
e.g. --vending-key HEX --iin 600727 --drn 00000000000 --key-type 2 --sgc 123456 --krn 1
     --current-tariff-index 01 --new-tariff-index 02.
A given --new-decoder-key needs --new-key-type, --new-krn, --new-tariff-index (and --new-sgc for
128-bit keys). --current-ea / --new-ea give a key object's own "ea" (DKGA04: 07 makes a 64-bit key,
11 a 128-bit key); without them a DKGA04 key takes --ea.
${KEY_HELP}`,
  },
  decode: {
    summary: 'decode a token and print its fields',
    flags: ['ea', 'token', 'crc'],
    keys: 'key',
    usage: `sts decode --token 20DIGITS [--ea 07|09|11 <key>] [--crc standard|currency]

${EA_HELP} (not needed for class 1 tokens)
  --token DIGITS             the 20-digit token
  --crc standard|currency    CRC variant (default: currency for class 0 subclasses 4-7)
A CRC that fails under the given key prints crcValid: false (wrong key or mistyped token).
${KEY_HELP}`,
  },
};

/** Printed after every single-shot command's usage. */
export const JSON_HELP = `  --json                     print the batch-style JSON result instead (as one sts batch line)
  -h, --help                 this help`;

export const BATCH_USAGE = `sts batch < requests.jsonl > results.jsonl

Reads one JSON request per line on stdin and writes one JSON result per line on stdout, in order,
echoing each request's "id". A failed line gives {"id":...,"error":{"code":...,"message":...}} and
processing continues; a line that is not JSON gives an INVALID_JSON error line with "id": null.
Blank lines, CRLF line ends, a missing final newline and a UTF-8 byte order mark are accepted.
Exit code 0, or 2 when stdin is not JSON Lines at all (no line of it is JSON).
Operations: derive, credit, class2, class1, key-change, decode (see contracts/sts-cli.md).`;

export function mainUsage(): string {
  const lines = Object.entries(COMMANDS).map(
    ([name, spec]) => `  ${name.padEnd(12)}${spec.summary}`,
  );
  return `sts: STS (IEC 62055-41) tokens from the command line

Usage: sts <command> [flags]      sts <command> --help

Commands:
${lines.join('\n')}
  ${'batch'.padEnd(12)}read JSON Lines requests on stdin, write JSON Lines results on stdout

Every command takes --json to print the batch-style JSON result.
Exit codes: 0 success, 2 bad input (the message names the field), 1 anything else.`;
}
