// A Stryker ignorer: the message text of an error the mutated modules throw. Tests assert the
// error's code, field and details (STYLE: "assert on error codes, not message text"), so a mutant
// that only rewords a message says nothing about the tests; it is reported as ignored.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

/** The message argument's position, by error class. */
const MESSAGE_ARGUMENT = { Error: 0, StsError: 2, DomainError: 1 };
/** The message argument's position, by function that throws (`invalid(field, message)`). */
const THROWER_MESSAGE_ARGUMENT = { invalid: 1 };

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'error-messages', {
    shouldIgnore(path) {
      const parent = path.parentPath;
      if (path.listKey !== 'arguments') return undefined;
      const positions = parent?.isNewExpression()
        ? MESSAGE_ARGUMENT
        : parent?.isCallExpression()
          ? THROWER_MESSAGE_ARGUMENT
          : undefined;
      const callee = parent?.node.callee;
      const index = positions && callee?.type === 'Identifier' ? positions[callee.name] : undefined;
      return index === path.key ? 'error message text (tests assert codes and details)' : undefined;
    },
  }),
];
