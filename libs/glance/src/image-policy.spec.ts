import { describe, expect, it } from '@jest/globals';
import { GlanceError } from './glance-error.js';
import { assertMayCreate, assertMayPatch } from './image-policy.js';

const PATCH = 'application/openstack-images-v2.1-json-patch';
const member = { project: 'p1', admin: false };
const admin = { project: 'ops', admin: true };

function refusal(check: () => void): [number, string] | null {
  try {
    check();
    return null;
  } catch (error) {
    if (!(error instanceof GlanceError)) throw error;
    return [error.status, error.message];
  }
}

describe("Glance's default image policy", () => {
  it('lets a project create its own images, private, shared or community, but not public ones', () => {
    for (const visibility of ['private', 'shared', 'community']) expect(refusal(() => assertMayCreate(member, JSON.stringify({ name: 'x', visibility })))).toBeNull();
    expect(refusal(() => assertMayCreate(member, JSON.stringify({ owner: 'p1' })))).toBeNull();
    expect(refusal(() => assertMayCreate(member, JSON.stringify({ visibility: 'public' })))).toEqual([403, 'You are not authorized to complete publicize_image action.']);
  });

  it('refuses images owned by another project, or by none, to anyone but an admin', () => {
    expect(refusal(() => assertMayCreate(member, JSON.stringify({ owner: 'p2' })))).toEqual([403, "You are not permitted to create images owned by 'p2'."]);
    expect(refusal(() => assertMayCreate(member, JSON.stringify({ owner: null })))).toEqual([403, "You are not permitted to create images owned by 'None'."]);
    expect(refusal(() => assertMayCreate({ project: null, admin: false }, '{}'))).toEqual([403, "You are not permitted to create images owned by 'None'."]);
    expect(refusal(() => assertMayCreate(admin, JSON.stringify({ owner: 'p2', visibility: 'public' })))).toBeNull();
  });

  it('answers a bad body as the catalog would, before any policy', () => {
    expect(refusal(() => assertMayCreate(member, '{"visibility": "public"'))).toEqual([400, 'Malformed JSON in request body.']);
    expect(refusal(() => assertMayCreate(member, JSON.stringify({ visibility: 'public', status: 'active' })))).toEqual([403, "Attribute 'status' is read-only."]);
  });

  it('refuses a PATCH to public in either dialect, however the pointer is written', () => {
    const publicize = [403, 'You are not authorized to complete publicize_image action.'];
    expect(refusal(() => assertMayPatch(member, JSON.stringify([{ op: 'replace', path: '/visibility', value: 'public' }]), PATCH))).toEqual(publicize);
    expect(refusal(() => assertMayPatch(member, JSON.stringify([{ op: 'add', path: '/ visibility ', value: 'public' }]), PATCH))).toEqual(publicize);
    expect(refusal(() => assertMayPatch(member, JSON.stringify([{ replace: '/visibility', value: 'public' }]), 'application/openstack-images-v2.0-json-patch'))).toEqual(publicize);
    expect(refusal(() => assertMayPatch(member, JSON.stringify([{ op: 'replace', path: '/visibility', value: 'community' }]), PATCH))).toBeNull();
    expect(refusal(() => assertMayPatch(admin, JSON.stringify([{ op: 'replace', path: '/visibility', value: 'public' }]), PATCH))).toBeNull();
  });
});
