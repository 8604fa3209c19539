import { dataOf, describeError } from './errors';

const answer = (status: number) => ({ status }) as Response;

describe("the service's answers on a screen", () => {
  it.each([
    [401, 'UNAUTHENTICATED', 'A valid API key is required'],
    [403, 'SELF_APPROVAL', 'You cannot approve your own request'],
    [409, 'PAYLOAD_HASH_MISMATCH', 'The payload changed'],
    [422, 'CHECK_VALUE_MISMATCH', 'The component does not have that check value'],
    [503, 'HSM_UNAVAILABLE', 'The token is not answering'],
  ])('shows %i %s with its message', (status, code, message) => {
    expect(describeError({ statusCode: status, code, message }, answer(status))).toBe(
      `${status} ${code}: ${message}`,
    );
  });

  it('says what it can when the answer has no body', () => {
    expect(describeError(undefined, answer(503))).toBe(
      '503: the service is unavailable; try again shortly',
    );
    expect(describeError(undefined, undefined)).toBe('network error: the service did not answer');
  });

  it('returns the data of a good answer and throws the message of a failed one', () => {
    expect(dataOf({ data: { ok: true }, response: answer(200) })).toEqual({ ok: true });
    expect(() =>
      dataOf({
        error: { code: 'INVALID_STATE', message: 'Vending key is active' },
        response: answer(409),
      }),
    ).toThrow('409 INVALID_STATE: Vending key is active');
  });
});
