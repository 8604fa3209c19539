/**
 * Insiders acting alone, each attack written as the attacker's own requests against a service
 * started as the README starts it: an admin minting shadow officers, taking over an officer's
 * key or promoting itself; a vending client with a second role reaching outside its scope; an
 * auditor reading value-bearing tokens; a guesser hammering a key id. (The database
 * administrator rewriting the audit trail: audit-rewrite.e2e-spec.ts.)
 */
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { forEachDatabase } from '../helpers/databases';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, type Cast, createCast, expectStatus, itemsOf } from '../helpers/workflows';
import { ALL_ALLOWED, drn, loadKey, type LoadedKey, onboardClient } from './vending.support';

jest.setTimeout(120_000);

forEachDatabase('insider attacks', (database) => {
  let svc: TestService;
  let cast: Cast;

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
  });
  afterAll(async () => svc.close());

  const asAdmin = (key: string) => ({
    create: (body: object) =>
      svc.http
        .post('/api/v1/principals')
        .set(...auth(key))
        .send(body),
    approve: (approval: { id: string; payloadHash: string }) =>
      svc.http
        .post(`/api/v1/approvals/${approval.id}/approve`)
        .set(...auth(key))
        .send({ payloadHash: approval.payloadHash }),
  });
  const me = (key: string) => svc.http.get('/api/v1/principals/me').set(...auth(key));

  describe('one admin alone', () => {
    it('cannot mint security officers or custodians: they wait, unusable, for a second admin', async () => {
      const admin = asAdmin(svc.adminKey);
      const minted: Response[] = [];
      for (const [name, role] of [
        ['shadow-officer-1', 'security-officer'],
        ['shadow-officer-2', 'security-officer'],
        ['shadow-custodian-1', 'custodian'],
        ['shadow-custodian-2', 'custodian'],
      ]) {
        const res = expectStatus(await admin.create({ name, roles: [role] }), 202);
        expect(res.body.principal.state).toBe('pending');
        expect(res.body.apiKey).toBeUndefined();
        minted.push(res);
      }
      for (const res of minted) {
        // The admin's own approval of its own request is refused...
        const self = await admin.approve(res.body.approval);
        expect([self.status, self.body.code]).toEqual([403, 'SELF_APPROVAL']);
        // ...and the first part of the key, alone or completed by guessing, opens nothing.
        const part = res.body.apiKeyPart as string;
        expect((await me(part)).status).toBe(401);
        expect((await me(part + 'A'.repeat(21))).status).toBe(401);
      }
      // A security officer cannot stand in for the second admin either.
      const officer = await svc.http
        .post(`/api/v1/approvals/${minted[0].body.approval.id as string}/approve`)
        .set(...auth(cast.officerA.key))
        .send({ payloadHash: minted[0].body.approval.payloadHash });
      expect([officer.status, officer.body.code]).toEqual([403, 'FORBIDDEN']);
      // So no shadow officer can request, and no shadow custodian enter, anything: the
      // vending key the admin wanted stays unloaded.
      const ds = svc.app.get(DataSource);
      const states = await ds.query<{ state: string }[]>(
        "SELECT state FROM principals WHERE name LIKE 'shadow-%'",
      );
      expect(states.map((r) => r.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    });

    it('cannot take over an officer by issuing the officer a new key', async () => {
      const admin = asAdmin(svc.adminKey);
      const res = expectStatus(
        await svc.http
          .post(`/api/v1/principals/${cast.officerA.id}/api-key`)
          .set(...auth(svc.adminKey)),
        202,
      );
      const part = res.body.apiKeyPart as string;
      expect((await me(part)).status).toBe(401);
      const self = await admin.approve(res.body.approval);
      expect([self.status, self.body.code]).toEqual([403, 'SELF_APPROVAL']);
      // The officer's own key still works; the admin holds nothing that acts as the officer.
      expectStatus(await me(cast.officerA.key), 200);
      expectStatus(
        await svc.http
          .post(`/api/v1/approvals/${res.body.approval.id as string}/cancel`)
          .set(...auth(svc.adminKey))
          .send({}),
        200,
      );
    });

    it('cannot demote or promote itself, even once a second admin exists', async () => {
      const self = (await me(svc.adminKey)).body.id as string;
      for (const body of [
        { roles: ['security-officer'] },
        { roles: ['auditor'] },
        { state: 'disabled' },
      ]) {
        const res = await svc.http
          .patch(`/api/v1/principals/${self}`)
          .set(...auth(svc.adminKey))
          .send(body);
        expect([res.status, res.body.code]).toEqual([403, 'SELF_CHANGE']);
      }
      const rotate = await svc.http
        .post(`/api/v1/principals/${self}/api-key`)
        .set(...auth(svc.adminKey));
      expect([rotate.status, rotate.body.code]).toEqual([403, 'SELF_CHANGE']);
      expect((await me(svc.adminKey)).body.roles).toEqual(['admin']);
    });

    it('cannot grant a key-touching role to a colleague alone, nor be the approver of a request about itself', async () => {
      const auditor = await svc.principal(['auditor'], 'promoted-auditor');
      const grant = expectStatus(
        await svc.http
          .patch(`/api/v1/principals/${auditor.id}`)
          .set(...auth(svc.adminKey))
          .send({ roles: ['security-officer'] }),
        202,
      );
      expect((await me(auditor.key)).body.roles).toEqual(['auditor']);
      const self = await asAdmin(svc.adminKey).approve(grant.body.approval);
      expect(self.body.code).toBe('SELF_APPROVAL');
      // The second admin asks for a key for the first; the first may not approve it.
      const second = (await me(svc.secondAdminKey)).body.id as string;
      const first = (await me(svc.adminKey)).body.id as string;
      const keyReq = expectStatus(
        await svc.http.post(`/api/v1/principals/${first}/api-key`).set(...auth(svc.secondAdminKey)),
        202,
      );
      const own = await asAdmin(svc.adminKey).approve(keyReq.body.approval);
      expect([own.status, own.body.code]).toEqual([403, 'SELF_APPROVAL']);
      expect(second).not.toBe(first);
      // With the second admin's approval the grant takes effect: two people, as required.
      expectStatus(await asAdmin(svc.secondAdminKey).approve(grant.body.approval), 200);
      expect((await me(auditor.key)).body.roles).toEqual(['security-officer']);
    });

    it('re-enables a disabled officer only with a second admin', async () => {
      const officer = await svc.principal(['security-officer'], 'sleeper');
      expectStatus(
        await svc.http
          .patch(`/api/v1/principals/${officer.id}`)
          .set(...auth(svc.adminKey))
          .send({ state: 'disabled' }),
        200,
      );
      expect((await me(officer.key)).status).toBe(401);
      const back = expectStatus(
        await svc.http
          .patch(`/api/v1/principals/${officer.id}`)
          .set(...auth(svc.adminKey))
          .send({ state: 'active' }),
        202,
      );
      expect((await me(officer.key)).status).toBe(401);
      expectStatus(await asAdmin(svc.secondAdminKey).approve(back.body.approval), 200);
      expectStatus(await me(officer.key), 200);
    });
  });

  describe('a vending client with a second role, and an auditor', () => {
    let inScope: LoadedKey;
    let client: { id: string; key: string };
    let other: { id: string; key: string };
    const meter = (key: LoadedKey, body10: string) => ({
      iin: '600727',
      drn: drn(body10),
      sgc: key.sgc,
      krn: key.krn,
      tariffIndex: '01',
      ea: '07',
    });
    let outside: LoadedKey;

    beforeAll(async () => {
      for (const sgc of ['600727', '222222']) {
        expectStatus(
          await svc.http
            .post('/api/v1/supply-groups')
            .set(...auth(cast.officerA.key))
            .send({ sgc, name: `Group ${sgc}` }),
          201,
        );
      }
      inScope = await loadKey(svc, cast, { sgc: '600727' });
      outside = await loadKey(svc, cast, {
        sgc: '222222',
        components: [DEV_COMPONENTS.des[0], DEV_COMPONENTS.des[2]],
      });
      client = await onboardClient(svc, cast, 'scoped-vendor', ['600727'], ALL_ALLOWED, false);
      other = await onboardClient(svc, cast, 'other-vendor', ['222222'], ALL_ALLOWED, false);
    });

    const credit = (key: string, m: object, idem: string) =>
      svc.http
        .post('/api/v1/vending/tokens/credit')
        .set(...auth(key))
        .set('Idempotency-Key', idem)
        .send({ meter: m, subclass: 0, amount: '10' });

    it('cannot be given a second role: 400 naming roles', async () => {
      for (const roles of [
        ['vending-client', 'auditor'],
        ['vending-client', 'security-officer'],
      ]) {
        const res = await asAdmin(svc.adminKey).create({
          name: `mixed-${roles[1]}`,
          roles,
          sgcScope: ['600727'],
        });
        expect(res.status).toBe(400);
        expect(res.body.details.fields[0].field).toBe('roles');
      }
      const change = await svc.http
        .patch(`/api/v1/principals/${client.id}`)
        .set(...auth(svc.adminKey))
        .send({ roles: ['vending-client', 'auditor'] });
      expect(change.status).toBe(400);
      expect(change.body.details.fields[0].field).toBe('roles');
    });

    it('stays in its scope and sees only its own issuances even with a role written into its row', async () => {
      const theirs = expectStatus(
        await credit(other.key, meter(outside, '0000000001'), 'shared-idem'),
        201,
      );
      // The attacker's row gains `auditor` around the API (as the attack had it through it).
      const ds = svc.app.get(DataSource);
      await ds.query(
        `UPDATE principals SET roles = 'vending-client,auditor' WHERE id = ${database === 'postgres' ? '$1' : '?'}`,
        [client.id],
      );
      await new Promise((r) => setTimeout(r, svc.config.authCacheMs + 50));
      const out = await credit(client.key, meter(outside, '0000000002'), 'escape');
      expect([out.status, out.body.code]).toEqual([403, 'OUT_OF_SCOPE']);
      expectStatus(await credit(client.key, meter(inScope, '0000000003'), 'mine'), 201);
      const found = expectStatus(
        await svc.http
          .get('/api/v1/vending/issuances')
          .query({ idempotencyKey: 'shared-idem' })
          .set(...auth(client.key)),
        200,
      );
      expect(itemsOf(found)).toEqual([]);
      const byId = await svc.http
        .get(`/api/v1/vending/issuances/${theirs.body.issuanceId as string}`)
        .set(...auth(client.key));
      expect(byId.status).toBe(404);
      const profile = await svc.http
        .get(`/api/v1/vending-clients/${other.id}`)
        .set(...auth(client.key));
      expect(profile.status).toBe(404);
    });

    it("shows an auditor another client's tokens masked to the last four digits; the client reprints whole", async () => {
      const sold = expectStatus(
        await credit(other.key, meter(outside, '0000000004'), 'auditor-reprint'),
        201,
      );
      const token = sold.body.tokens[0].token as string;
      const audited = expectStatus(
        await svc.http
          .get(`/api/v1/vending/issuances/${sold.body.issuanceId as string}`)
          .set(...auth(cast.auditor.key)),
        200,
      );
      expect(audited.body.tokens[0].token).toBe(`${'*'.repeat(16)}${token.slice(-4)}`);
      expect(audited.body.tids).toEqual(sold.body.tids);
      const listed = expectStatus(
        await svc.http
          .get('/api/v1/vending/issuances')
          .query({ idempotencyKey: 'auditor-reprint' })
          .set(...auth(cast.auditor.key)),
        200,
      );
      expect(JSON.stringify(listed.body)).not.toContain(token);
      expect(JSON.stringify(audited.body)).not.toContain(token);
      const reprint = expectStatus(
        await svc.http
          .get(`/api/v1/vending/issuances/${sold.body.issuanceId as string}`)
          .set(...auth(other.key)),
        200,
      );
      expect(reprint.body).toEqual(sold.body);
    });
  });

  describe('a guesser', () => {
    it('is audited once per key id and minute with the count, while the holder is never slowed', async () => {
      const target = await svc.principal(['auditor'], 'guess-target');
      const keyId = /^sts_([0-9a-f]{16})_/.exec(target.key)?.[1] ?? '';
      const wrong = `sts_${keyId}_${'B'.repeat(43)}`;
      for (let i = 0; i < 5; i++) expect((await me(wrong)).status).toBe(401);
      expectStatus(await me(target.key), 200);
      const events = itemsOf(
        await svc.http
          .get('/api/v1/audit/events')
          .query({ action: 'auth.failure', subjectId: keyId })
          .set(...auth(cast.auditor.key)),
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actorId: 'anonymous', outcome: 'failure' });
      expect(events[0].details).toMatchObject({ reason: 'wrong-secret', failures: 1 });
      svc.clock.advance(61_000);
      expect((await me(wrong)).status).toBe(401);
      const later = itemsOf(
        await svc.http
          .get('/api/v1/audit/events')
          .query({ action: 'auth.failure', subjectId: keyId })
          .set(...auth(cast.auditor.key)),
      );
      expect(later).toHaveLength(2);
      expect(later[1].details).toMatchObject({ failures: 5 });
    });
  });
});
