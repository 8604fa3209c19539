import 'reflect-metadata';
import { type ArgumentMetadata } from '@nestjs/common';
import { jsonClone, meter, SAMPLES } from '../../../../test/helpers/vending-dto-samples';
import { CreateSupplyGroupDto } from '../supply-groups/dto/supply-group.dto';
import { UpsertVendingClientDto } from '../vending/dto/vending-client.dto';
import { CreditTokenRequestDto } from '../vending/dto/vending-request.dto';
import { createValidationPipe } from './validation';
import { fastPathFor } from './validation-fast-path';

const body = (type: new () => object): ArgumentMetadata => ({ type: 'body', metatype: type });

describe('validation fast path', () => {
  it('accepts each valid sample, building the nested instances', () => {
    for (const [type, sample] of SAMPLES) {
      const got = fastPathFor(type)?.(jsonClone(sample));
      expect(got).toBeInstanceOf(type);
      expect(JSON.parse(JSON.stringify(got))).toEqual(sample);
    }
    const credit = fastPathFor(CreditTokenRequestDto)?.(jsonClone(SAMPLES[1][1]));
    expect(credit?.meter.constructor.name).toBe('MeterKeyDto');
  });

  it('refuses null for an omittable field and an array for a nested object, as the pipe does', async () => {
    const fast = fastPathFor(CreditTokenRequestDto);
    const pipe = createValidationPipe();
    const credit = SAMPLES[1][1];
    for (const value of [
      { ...credit, meter: { ...meter, keyType: null } },
      { ...credit, meter: { ...meter, baseDate: null } },
      { ...credit, meter: [meter] },
    ]) {
      expect(fast?.(jsonClone(value))).toBeUndefined();
      await expect(
        pipe.transform(jsonClone(value), body(CreditTokenRequestDto)),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const { keyType: _keyType, ...withoutKeyType } = meter;
    expect(fast?.(jsonClone({ ...credit, meter: withoutKeyType }))).toBeInstanceOf(
      CreditTokenRequestDto,
    );
  });

  it('has no fast path for a DTO with a rule it does not know (conditional, length)', () => {
    expect(fastPathFor(UpsertVendingClientDto)).toBeUndefined(); // @ValidateIf
    expect(fastPathFor(CreateSupplyGroupDto)).toBeUndefined(); // @Length
  });

  it("leaves the errors to the pipe: the service's pipe refuses as before, naming the field", async () => {
    const pipe = createValidationPipe();
    const bad = { ...SAMPLES[1][1], amount: 25.6 };
    await expect(pipe.transform(bad, body(CreditTokenRequestDto))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: {
        fields: [
          { field: 'amount', message: 'amount must be a decimal number more than zero' },
          { field: 'amount', message: 'amount must be a string' },
        ],
      },
    });
    const extra = { ...SAMPLES[1][1], meter: { ...meter, extra: 1 } };
    await expect(pipe.transform(extra, body(CreditTokenRequestDto))).rejects.toMatchObject({
      details: { fields: [{ field: 'meter.extra' }] },
    });
  });
});
