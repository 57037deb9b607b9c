// Core's write order for providers with record atomicity, and the markers to undo after a failure.
import { describe, expect, it } from 'vitest';
import { emptyChanges, endpoint, LabelKeys, type Endpoint } from '@openova/dns-core';
import { markersToUndo, recordWritePhases } from '@openova/dns-core/provider';

const rec = (name: string, type = 'A'): Endpoint =>
  endpoint({ dnsName: name, recordType: type, targets: ['192.0.2.1'] });
const marker = (name: string, owned: string): Endpoint =>
  endpoint({
    dnsName: name,
    recordType: 'TXT',
    targets: ['"heritage=external-dns"'],
    labels: { [LabelKeys.ownedRecord]: owned },
  });

describe('recordWritePhases', () => {
  it('markers created or updated and records deleted first; records created or updated and markers deleted second', () => {
    const created = rec('new.example.com');
    const createdMarker = marker('a-new.example.com', 'new.example.com');
    const gone = rec('old.example.com');
    const goneMarker = marker('a-old.example.com', 'old.example.com');
    const updOld = rec('upd.example.com');
    const updNew = endpoint({ dnsName: 'upd.example.com', recordType: 'A', targets: ['192.0.2.2'] });
    const mOld = marker('a-upd.example.com', 'upd.example.com');
    const mNew = marker('a-upd.example.com', 'upd.example.com');
    const [first, second] = recordWritePhases({
      create: [created, createdMarker],
      updateOld: [updOld, mOld],
      updateNew: [updNew, mNew],
      delete: [gone, goneMarker],
    });
    expect(first).toEqual({ create: [createdMarker], updateOld: [mOld], updateNew: [mNew], delete: [gone] });
    expect(second).toEqual({
      create: [created],
      updateOld: [updOld],
      updateNew: [updNew],
      delete: [goneMarker],
    });
  });

  it('leaves out empty phases', () => {
    expect(recordWritePhases(emptyChanges())).toEqual([]);
    const r = rec('x.example.com');
    expect(recordWritePhases({ ...emptyChanges(), create: [r] })).toEqual([
      { ...emptyChanges(), create: [r] },
    ]);
  });
});

describe('markersToUndo', () => {
  it('a marker written whose records were not, and a marker kept whose records were all deleted', () => {
    const a = rec('a.example.com');
    const am = marker('m-a.example.com', 'a.example.com');
    const b = rec('b.example.com');
    const bm = marker('m-b.example.com', 'b.example.com');
    const d = rec('d.example.com');
    const dm = marker('m-d.example.com', 'd.example.com');
    const e = rec('e.example.com');
    const em = marker('m-e.example.com', 'e.example.com');
    const changes = { ...emptyChanges(), create: [a, am, b, bm], delete: [d, dm, e, em] };
    // a's record and marker written; b's marker only; d's record deleted, not its marker; e untouched
    const undo = markersToUndo(changes, new Set([a, am, bm, d]));
    expect(undo).toEqual([bm, dm]);
    expect(markersToUndo(changes, new Set(Object.values(changes).flat()))).toEqual([]);
  });
});
