/**
 * What a registry found worth telling an operator about. None of these stop a run; each one means a
 * record was left alone on purpose.
 *
 * - `ambiguous-owner` (deviation D4): ownership TXTs for one record disagree (one TXT whose values name
 *   different owners, or TXT names that differ only by case); the record is treated as nobody's.
 * - `duplicate-marker`: several TXTs for one record agree on the owner; one was picked, the others are
 *   left in DNS.
 * - `ownership-conflict` (deviation D2): a create was dropped because its TXT name already holds
 *   another owner's (or an ambiguous) marker.
 * - `not-owned`: an update or delete of a record we do not own was dropped.
 * - `empty-txt`: a TXT record without values was ignored.
 * - `marker-not-writable`: a create was dropped because its ownership TXT name cannot be stored (a
 *   `*` inside the name where the provider takes only hostnames, or a name outside the record's zone);
 *   or a record of ours owned through a legacy marker keeps that marker, because its typed name cannot
 *   be stored (an apex record without a prefix ending in `.`, a label over 63 octets, a name taken by
 *   a TXT record set that is no marker).
 */
export type RegistryWarningKind =
  | 'ambiguous-owner'
  | 'duplicate-marker'
  | 'ownership-conflict'
  | 'not-owned'
  | 'empty-txt'
  | 'marker-not-writable';

/** Something the registry left alone on purpose, and why; see {@link RegistryWarningKind}. */
export interface RegistryWarning {
  /** What happened; see {@link RegistryWarningKind}. */
  readonly kind: RegistryWarningKind;
  /** One line for logs, naming the record, the TXT names and the owners involved. */
  readonly message: string;
  /** The record concerned (for `empty-txt`, the TXT itself). */
  readonly dnsName: string;
  /** `''` when the TXT is a legacy untyped marker or the type is unknown. */
  readonly recordType: string;
  /** Set identifier of the record concerned (`''` when none). */
  readonly setIdentifier: string;
  /** The ownership TXT names involved, as the provider spelled them. */
  readonly txtNames: readonly string[];
  /** The owner IDs involved, sorted (`''` = a marker without owner). */
  readonly ownerIds: readonly string[];
}
