import { JsonLogger } from '../common/json-logger';
import { logTokenStateChange } from './configured-custody';

describe('logTokenStateChange', () => {
  it('writes one line per transition: an error when the token goes, info when it is back', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('debug', (line) => lines.push(line));
    logTokenStateChange(logger, 'sts-prod', {
      state: 'unavailable',
      at: new Date(0),
      reason: 'deriveDecoderKeys: CKR_DEVICE_ERROR',
    });
    logTokenStateChange(logger, 'sts-prod', {
      state: 'available',
      at: new Date(1500),
      unavailableForMs: 1500,
    });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({
      level: 'error',
      msg: 'token unavailable',
      tokenLabel: 'sts-prod',
      reason: 'deriveDecoderKeys: CKR_DEVICE_ERROR',
    });
    expect(parsed[1]).toMatchObject({
      level: 'info',
      msg: 'token available again',
      unavailableForMs: 1500,
    });
  });
});
