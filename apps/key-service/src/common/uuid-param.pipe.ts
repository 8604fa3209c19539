import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { DomainError } from './domain-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Path ids are UUIDs: anything else is a 400 naming the parameter. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, meta: ArgumentMetadata): string {
    if (!UUID.test(value)) {
      const field = meta.data ?? 'id';
      throw DomainError.validation(field, `${field}: must be a UUID`);
    }
    return value;
  }
}

/** SGC path parameters: exactly 6 digits. */
@Injectable()
export class SgcParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[0-9]{6}$/.test(value))
      throw DomainError.validation('sgc', 'sgc: must be exactly 6 digits');
    return value;
  }
}
