import { StsError } from './errors';
import { executeRequest } from './requests';
import { loadVectors } from '../test/vectors';

const vectors = loadVectors();

describe('conformance vectors through the library (executeRequest)', () => {
  it('has the whole vector file', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(204);
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    if (vector.expect.errorPresent === true) {
      expect(() => executeRequest(vector.request)).toThrow(StsError);
      return;
    }
    const result = executeRequest(vector.request);
    for (const [field, value] of Object.entries(vector.expect)) {
      expect({ [field]: result[field] }).toEqual({ [field]: value });
    }
  });
});
