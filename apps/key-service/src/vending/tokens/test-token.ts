import { buildTestToken } from '@sts/core';
import type { TestTokenRequestDto } from '../dto/vending-request.dto';
import type { IssuedTokenDto } from '../dto/vending-response.dto';

/** A class-1 meter test token (no key, no TID). */
export function testToken(dto: TestTokenRequestDto): IssuedTokenDto {
  const token = buildTestToken({
    subclass: dto.subclass,
    control: dto.control.startsWith('0x') ? dto.control : `0x${dto.control}`,
    manufacturerCode: dto.manufacturerCode,
  });
  return {
    token,
    tokenClass: 1,
    subclass: dto.subclass,
    tid: null,
    description: `meter test: control ${dto.control}, manufacturer ${dto.manufacturerCode}`,
  };
}
