import type { IssuedTokenDto } from '../dto/vending-response.dto';
import type { KeyChangeSet } from '../issuance/key-change-issuer';

/** The sections of a key-change set as answered: class 2, subclasses 3, 4 (then 8, 9). */
export function keyChangeTokens(set: KeyChangeSet): IssuedTokenDto[] {
  const sections = set.tokens.length === 2 ? [3, 4] : [3, 4, 8, 9];
  return set.tokens.map((token, i) => ({
    token,
    tokenClass: 2,
    subclass: sections[i],
    tid: null,
    description: `key change section ${i + 1} of ${set.tokens.length}`,
  }));
}
