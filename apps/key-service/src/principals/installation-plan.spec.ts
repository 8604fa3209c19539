import { installationPlan } from './installation-plan';

describe('bootstrap-admin arguments', () => {
  it('reads repeated role flags', () => {
    expect(
      installationPlan([
        '--admin',
        'ada',
        '--admin',
        'bob',
        '--officer',
        'olga',
        '--custodian',
        'carl',
      ]),
    ).toEqual({ admins: ['ada', 'bob'], officers: ['olga'], custodians: ['carl'], auditors: [] });
  });

  it('keeps the one-name form and the default of the single-admin installation', () => {
    expect(installationPlan(['root'])).toMatchObject({ admins: ['root'], officers: [] });
    expect(installationPlan([])).toMatchObject({ admins: ['admin'] });
  });

  it('says what is wrong instead of guessing', () => {
    expect(installationPlan(['--officer', 'olga'])).toMatch(/at least one admin/);
    expect(installationPlan(['--admin'])).toMatch(/--admin needs a name/);
    expect(installationPlan(['--admin', '--officer'])).toMatch(/--admin needs a name/);
    expect(installationPlan(['--root', 'x'])).toMatch(/unknown argument "--root"/);
    expect(installationPlan(['--admin', 'ada', '--officer', 'ada'])).toMatch(
      /"ada" is named twice/,
    );
  });
});
