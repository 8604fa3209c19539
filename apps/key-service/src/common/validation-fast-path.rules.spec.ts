import 'reflect-metadata';
import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { Exclude, Expose, Transform, Type } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { runInNewContext } from 'node:vm';
import { fastPathFor } from './validation-fast-path';
import { IsOmittable } from './validation-rules';

// Each rule the fast path knows, on small DTOs of its own, judged against the pipe it stands in
// for; and each rule it does not know, which must leave the DTO without a fast path.

const reference = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
});

async function pipeOutcome(type: new () => object, body: unknown): Promise<unknown> {
  const metadata: ArgumentMetadata = { type: 'body', metatype: type };
  return reference.transform(JSON.parse(JSON.stringify(body)) as unknown, metadata).then(
    (instance: unknown) => instance,
    () => 'refused',
  );
}

/** The fast path's answer for `body`, after checking it against the pipe's. */
async function fastOutcome(type: new () => object, body: unknown): Promise<unknown> {
  const fast = fastPathFor(type);
  if (!fast) throw new Error(`${type.name} has no fast path`);
  const got = fast(JSON.parse(JSON.stringify(body)) as unknown);
  const expected = await pipeOutcome(type, body);
  if (got !== undefined) expect(got).toStrictEqual(expected);
  return got ?? 'refused';
}

// The fast path keeps the plan of each class it has seen. Each test takes fresh classes from
// these factories, so every test builds (and checks) the plan it relies on.
function dtos() {
  class Ranged {
    @IsInt() @Min(3) @Max(5) n!: number;
  }
  class AtLeast {
    @Min(3) n!: number;
  }
  class AtMost {
    @Max(5) n!: number;
  }
  class Chosen {
    @IsIn(['a', 'b']) choice!: string;
    @IsBoolean() flag!: boolean;
  }
  class Text {
    @IsString() text!: string;
  }
  class Patterned {
    @IsString() @Matches(/^a+$/) text!: string;
  }
  class Digits {
    @Matches(/^[0-9]+$/) digits!: string;
  }
  class Whole {
    @IsInt() n!: number;
  }
  class Thing {
    @IsObject() thing!: object;
  }
  class Optional {
    @IsOptional() @IsInt() n?: number;
    @IsDefined() @IsString() s!: string;
  }
  class Omittable {
    @IsOmittable() @IsInt() n?: number;
  }
  class Defined {
    @IsDefined() v!: unknown;
  }
  class Inner {
    @IsInt() n!: number;
  }
  class LooseNested {
    @ValidateNested() @Type(() => Inner) inner?: Inner;
  }
  class Outer {
    @IsDefined() @ValidateNested() @Type(() => Inner) inner!: Inner;
    @IsOptional() @IsString() note?: string;
  }
  return {
    Ranged,
    AtLeast,
    AtMost,
    Chosen,
    Text,
    Patterned,
    Digits,
    Whole,
    Thing,
    Optional,
    Omittable,
    Defined,
    Inner,
    LooseNested,
    Outer,
  };
}

describe('validation fast path: the rules it knows, against the pipe', () => {
  it.each([
    [{ n: 3 }, true],
    [{ n: 5 }, true],
    [{ n: 2 }, false],
    [{ n: 6 }, false],
    [{ n: 4.5 }, false],
    [{ n: '4' }, false],
    [{}, false],
  ])('IsInt, Min 3, Max 5: %o accepted %s', async (body, ok) => {
    const got = await fastOutcome(dtos().Ranged, body);
    expect(got === 'refused' ? false : got !== undefined).toBe(ok);
  });

  it.each([
    [{ choice: 'a', flag: true }, true],
    [{ choice: 'b', flag: false }, true],
    [{ choice: 'c', flag: true }, false],
    [{ choice: 'a', flag: 'true' }, false],
    [{ choice: 'a', flag: 1 }, false],
  ])('IsIn, IsBoolean: %o accepted %s', async (body, ok) => {
    expect((await fastOutcome(dtos().Chosen, body)) !== 'refused').toBe(ok);
  });

  it.each([
    [{ text: 'aaa' }, true],
    [{ text: 'ab' }, false],
    [{ text: '' }, false],
    [{ text: 7 }, false],
  ])('IsString, Matches: %o accepted %s', async (body, ok) => {
    expect((await fastOutcome(dtos().Patterned, body)) !== 'refused').toBe(ok);
  });

  it.each([
    [{ s: 'x' }, true],
    [{ s: 'x', n: 1 }, true],
    [{ s: 'x', n: null }, true],
    [{ s: 'x', n: 'one' }, false],
    [{ n: 1 }, false],
    [{ s: null }, false],
    [{ s: 'x', other: 1 }, false],
    [{ s: { x: 1 } }, false],
    [{ s: ['x'] }, false],
  ])('IsOptional, IsDefined: %o accepted %s', async (body, ok) => {
    expect((await fastOutcome(dtos().Optional, body)) !== 'refused').toBe(ok);
  });

  it.each([
    [{ v: 0 }, true],
    [{ v: '' }, true],
    [{ v: false }, true],
    [{ v: null }, false],
    [{}, false],
  ])('IsDefined alone: %o accepted %s', async (body, ok) => {
    expect((await fastOutcome(dtos().Defined, body)) !== 'refused').toBe(ok);
  });

  it.each([
    ['IsString', 'Text', { text: 'x' }, true],
    ['IsString', 'Text', { text: 7 }, false],
    ['IsString', 'Text', { text: null }, false],
    ['Min alone', 'AtLeast', { n: 3 }, true],
    ['Min alone', 'AtLeast', { n: '4' }, false],
    ['Max alone', 'AtMost', { n: 5 }, true],
    ['Max alone', 'AtMost', { n: '4' }, false],
    ['Matches alone', 'Digits', { digits: '12' }, true],
    ['Matches alone', 'Digits', { digits: 12 }, false],
    ['IsInt alone', 'Whole', { n: 2 }, true],
    ['IsInt alone', 'Whole', { n: 2.5 }, false],
    ['IsInt alone', 'Whole', { n: '2' }, false],
    ['IsObject', 'Thing', { thing: 5 }, false],
    ['IsObject', 'Thing', { thing: 'x' }, false],
    ['IsObject', 'Thing', { thing: null }, false],
    ['IsOmittable', 'Omittable', {}, true],
    ['IsOmittable', 'Omittable', { n: 1 }, true],
    ['IsOmittable', 'Omittable', { n: null }, false],
    ['IsOmittable', 'Omittable', { n: 'x' }, false],
  ] as const)('%s (%s): %o accepted %s', async (_rule, dto, body, ok) => {
    expect((await fastOutcome(dtos()[dto], body)) !== 'refused').toBe(ok);
  });

  it('answers what the pipe answers for every body the known rules accept', async () => {
    const made = dtos();
    for (const [type, body] of [
      [made.Text, { text: 'x' }],
      [made.Omittable, {}],
      [made.Digits, { digits: '0' }],
    ] as const) {
      expect(await fastOutcome(type, body)).toStrictEqual(await pipeOutcome(type, body));
    }
  });

  it('leaves a nested object that is missing or null to the pipe, declared defined or not', async () => {
    expect(await fastOutcome(dtos().LooseNested, { inner: { n: 1 } })).toBeInstanceOf(Object);
    expect(fastPathFor(dtos().LooseNested)?.({})).toBeUndefined();
    expect(fastPathFor(dtos().LooseNested)?.({ inner: null })).toBeUndefined();
  });

  it('keeps an optional null as the pipe does', async () => {
    const got = await fastOutcome(dtos().Optional, { s: 'x', n: null });
    expect(got).toEqual({ s: 'x', n: null });
  });

  it.each([
    [{ inner: { n: 1 } }, true],
    [{ inner: { n: 1 }, note: 'x' }, true],
    [{ inner: { n: 'x' } }, false],
    [{ inner: { n: 1, extra: 2 } }, false],
    [{ inner: null }, false],
    [{ note: 'x' }, false],
    [{ inner: 'x' }, false],
  ])('nested: %o accepted %s', async (body, ok) => {
    const got = await fastOutcome(dtos().Outer, body);
    expect(got !== 'refused').toBe(ok);
    if (ok) expect((got as { inner: object }).inner.constructor.name).toBe('Inner');
  });

  it('takes plain objects of any realm, and nothing else', () => {
    const fast = fastPathFor(dtos().Ranged);
    expect(fast?.(runInNewContext('({ n: 4 })'))).toEqual({ n: 4 });
    for (const body of [
      null,
      undefined,
      4,
      'n',
      [],
      [{ n: 4 }],
      Object.create(null),
      new (dtos().Ranged)(),
    ]) {
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        (body as { n?: number }).n = 4;
      }
      expect(fast?.(body)).toBeUndefined();
    }
  });
});

describe('validation fast path: none for a DTO with a rule it does not know', () => {
  class Each {
    @IsString({ each: true }) names!: string[];
  }
  class Always {
    @IsString({ always: true }) name!: string;
  }
  class Grouped {
    @IsString({ groups: ['admin'] }) name!: string;
  }
  class EmptyGroups {
    @IsString({ groups: [] }) name!: string;
  }
  class Exposed {
    @Expose() @IsString() name!: string;
  }
  class Excluded {
    @IsString() name!: string;
    @Exclude() secret?: string;
  }
  class Transformed {
    @Transform(({ value }: { value: unknown }) => String(value)) @IsString() name!: string;
  }
  class OddMin {
    @Min('3' as unknown as number) n!: number;
  }
  class OddMax {
    @Max('3' as unknown as number) n!: number;
  }
  class OddIn {
    @IsIn('ab' as unknown as string[]) s!: string;
  }
  class GlobalPattern {
    @Matches(/a/g) s!: string;
  }
  class StickyPattern {
    @Matches(/a/y) s!: string;
  }
  class PatternWithModifiers {
    @Matches('a', 'i') s!: string;
  }
  class Unknown {
    @IsEmail() email!: string;
  }
  class NestedArray {
    @ValidateNested() @Type(() => Array) items!: unknown[];
  }
  class NestedObject {
    @ValidateNested() @Type(() => Object) thing!: object;
  }
  class NestedUntyped {
    @ValidateNested() thing!: object;
  }
  class NestedWithout {
    @ValidateNested() @Type(() => Unknown) thing!: Unknown;
  }
  class SelfNested {
    @IsOptional() @ValidateNested() @Type(() => SelfNested) next?: SelfNested;
  }

  it.each([
    Each,
    Always,
    Grouped,
    Exposed,
    Excluded,
    Transformed,
    OddMin,
    OddMax,
    OddIn,
    GlobalPattern,
    StickyPattern,
    PatternWithModifiers,
    Unknown,
    NestedArray,
    NestedObject,
    NestedUntyped,
    NestedWithout,
    SelfNested,
  ] as (new () => object)[])('%p', (type) => {
    expect(fastPathFor(type)).toBeUndefined();
    expect(fastPathFor(type)).toBeUndefined(); // the answer is kept, not rebuilt differently
  });

  it('has one for an empty group list (no groups)', () => {
    expect(fastPathFor(EmptyGroups)?.({ name: 'x' })).toEqual(
      Object.assign(new EmptyGroups(), { name: 'x' }),
    );
  });
});

describe('validation fast path: plans', () => {
  it('reads a class’s rules once, however often its fast path is asked for', () => {
    class Once {
      @IsInt() n!: number;
    }
    const storage = getMetadataStorage();
    const read = jest.spyOn(storage, 'getTargetValidationMetadatas');
    try {
      expect(fastPathFor(Once)?.({ n: 1 })).toEqual(Object.assign(new Once(), { n: 1 }));
      expect(fastPathFor(Once)?.({ n: 2 })).toEqual(Object.assign(new Once(), { n: 2 }));
      expect(read.mock.calls.filter(([target]) => target === Once)).toHaveLength(1);
    } finally {
      read.mockRestore();
    }
  });
});
