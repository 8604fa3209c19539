import { parseArgs } from 'node:util';
import { StsError, executeRequest } from '@sts/core';
import { NotJsonLinesError, runBatch } from './batch';
import {
  BATCH_USAGE,
  COMMANDS,
  type CommandSpec,
  JSON_HELP,
  KEY_FLAGS,
  mainUsage,
} from './commands';

/** A usage error: exit 2 with the message. */
class UsageError extends Error {}

const INTEGER_FIELDS = new Set([
  'keyType',
  'krn',
  'baseDate',
  'subclass',
  'rnd',
  'tid',
  'ken',
  'ro',
  'manufacturerCode',
  'value',
]);

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Flag text to the JSON value the batch field takes: integers as numbers, the rest as text. */
function fieldValue(field: string, text: string): unknown {
  if (INTEGER_FIELDS.has(field) && /^-?[0-9]+$/.test(text)) return Number(text);
  if (field === 'control' && /^[0-9]+$/.test(text)) return Number(text);
  return text;
}

function keyObject(
  values: Record<string, string | undefined>,
  prefix: string,
): Record<string, unknown> | undefined {
  const key: Record<string, unknown> = {};
  for (const flag of KEY_FLAGS) {
    const text = values[`${prefix}${flag}`] ?? values[flag];
    if (text !== undefined) key[camel(flag)] = fieldValue(camel(flag), text);
  }
  return Object.keys(key).length > 0 ? key : undefined;
}

/** Builds the batch request of a single-shot command from its flags. */
export function buildRequest(
  command: string,
  spec: CommandSpec,
  values: Record<string, string | undefined>,
): Record<string, unknown> {
  const request: Record<string, unknown> = { op: command };
  for (const flag of spec.flags) {
    const text = values[flag];
    if (text !== undefined) request[camel(flag)] = fieldValue(camel(flag), text);
  }
  if (spec.keys === 'derive') Object.assign(request, keyObject(values, ''));
  if (spec.keys === 'key') {
    const key = keyObject(values, '');
    if (key !== undefined) request.key = key;
    if (values['base-date'] !== undefined)
      request.baseDate = fieldValue('baseDate', values['base-date']);
  }
  if (spec.keys === 'key-change') {
    request.currentKey = keyObject(values, 'current-');
    request.newKey = keyObject(values, 'new-');
    // A key object's own `ea` (DKGA04 key length): --ea is the request's, so only prefixed here.
    for (const [prefix, field] of [
      ['current-', 'currentKey'],
      ['new-', 'newKey'],
    ] as const) {
      const ea = values[`${prefix}ea`];
      if (ea !== undefined) request[field] = { ...(request[field] as object | undefined), ea };
    }
  }
  return request;
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function optionsFor(spec: CommandSpec): Options {
  const options: Options = {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const flag of spec.flags) options[flag] = { type: 'string' };
  if (spec.keys !== 'none') for (const flag of KEY_FLAGS) options[flag] = { type: 'string' };
  if (spec.keys === 'key-change') {
    for (const flag of [...KEY_FLAGS, 'ea']) {
      options[`current-${flag}`] = { type: 'string' };
      options[`new-${flag}`] = { type: 'string' };
    }
  }
  return options;
}

function parse(args: string[], spec: CommandSpec) {
  try {
    return parseArgs({ args, options: optionsFor(spec), strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Human-readable output of a result. */
function render(command: string, result: Record<string, unknown>): string {
  switch (command) {
    case 'derive':
      return String(result.decoderKey);
    case 'key-change':
      return (result.tokens as string[]).join('\n');
    case 'decode':
      return Object.entries(result)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join('\n');
    default:
      return String(result.token);
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    console.error(mainUsage());
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(mainUsage());
    return 0;
  }
  try {
    if (command === 'batch') {
      if (rest.includes('--help') || rest.includes('-h')) {
        console.log(BATCH_USAGE);
        return 0;
      }
      if (rest.length > 0) throw new UsageError(`batch takes no arguments, got ${rest.join(' ')}`);
      await runBatch(process.stdin, process.stdout);
      return 0;
    }
    const spec = COMMANDS[command];
    if (spec === undefined) throw new UsageError(`unknown command "${command}" (see sts --help)`);
    const { values } = parse(rest, spec);
    if (values.help) {
      console.log(`Usage: ${spec.usage}\n${JSON_HELP}`);
      return 0;
    }
    const request = buildRequest(command, spec, values as Record<string, string | undefined>);
    const result = executeRequest(request);
    console.log(values.json ? JSON.stringify(result) : render(command, result));
    return 0;
  } catch (e) {
    if (e instanceof StsError || e instanceof UsageError || e instanceof NotJsonLinesError) {
      console.error(`sts: ${e.message}`);
      return 2;
    }
    console.error(`sts: unexpected error: ${(e as Error).message}`);
    return 1;
  }
}

/** Entry point of the `sts` binary: runs `main` on the process arguments and sets the exit code. */
export function run(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`sts: unexpected error: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
