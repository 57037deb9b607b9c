import { z } from 'zod';

// Response shapes of the PowerDNS Authoritative API as observed on 4.7–5.1. Unknown fields are
// stripped (newer servers add some); fields missing on some versions are optional.

/** Zod schema of PowerDNS's `Server` object (`GET /servers/{server_id}`); unknown fields are kept. */
export const serverSchema = z.object({
  type: z.string().optional(),
  id: z.string(),
  daemon_type: z.string(),
  version: z.string(),
  url: z.string().optional(),
  config_url: z.string().optional(),
  zones_url: z.string().optional(),
});
/** PowerDNS's `Server` object: id, daemon type, version, URLs. */
export type PowerDnsServer = z.infer<typeof serverSchema>;

/** Zod schema of a `ConfigSetting` (`GET /servers/{server_id}/config`). */
export const configSettingSchema = z.object({
  name: z.string(),
  value: z.string(),
  type: z.string().optional(),
});
/** One server configuration setting: `name` and `value`. */
export type PowerDnsConfigSetting = z.infer<typeof configSettingSchema>;

/** Zod schema of a `Record` in an rrset: `content` and `disabled`. */
export const recordSchema = z.object({
  content: z.string(),
  disabled: z.boolean().default(false),
  modified_at: z.number().optional(),
});
/** One record of an rrset: `content` (zone-file form) and `disabled`. */
export type PowerDnsRecord = z.infer<typeof recordSchema>;

/** Zod schema of a `Comment` on an rrset. */
export const commentSchema = z.object({
  content: z.string(),
  account: z.string().default(''),
  modified_at: z.number().optional(),
});
/** A comment on an rrset: `content`, `account`, `modified_at` (epoch seconds). */
export type PowerDnsComment = z.infer<typeof commentSchema>;

/** Zod schema of an `RRSet` in a zone answer. */
export const rrsetSchema = z.object({
  name: z.string(),
  type: z.string(),
  ttl: z.number(),
  records: z.array(recordSchema).default([]),
  comments: z.array(commentSchema).default([]),
});
/** An rrset as PowerDNS returns it: name (absolute), type, TTL, records, comments. */
export type PowerDnsRRset = z.infer<typeof rrsetSchema>;

export const zoneKindSchema = z.string();

/** Zod schema of a zone in the zone list (`GET /servers/{server_id}/zones`), without rrsets. */
export const zoneSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: zoneKindSchema,
  url: z.string().optional(),
  serial: z.number().optional(),
  notified_serial: z.number().optional(),
  edited_serial: z.number().optional(),
  masters: z.array(z.string()).optional(),
  dnssec: z.boolean().optional(),
  account: z.string().optional(),
  catalog: z.string().optional(),
  last_check: z.number().optional(),
});
/** A zone as the zone list returns it (no rrsets). */
export type PowerDnsZoneSummary = z.infer<typeof zoneSummarySchema>;

/** Zod schema of a full `Zone` (`GET /servers/{server_id}/zones/{zone_id}`), rrsets included. */
export const zoneSchema = zoneSummarySchema.extend({
  rrsets: z.array(rrsetSchema).optional(),
  soa_edit: z.string().optional(),
  soa_edit_api: z.string().optional(),
  api_rectify: z.boolean().optional(),
  nsec3param: z.string().optional(),
  nsec3narrow: z.boolean().optional(),
  presigned: z.boolean().optional(),
  master_tsig_key_ids: z.array(z.string()).optional(),
  slave_tsig_key_ids: z.array(z.string()).optional(),
});
/** A full zone, as `getZone` returns it (rrsets included unless asked otherwise). */
export type PowerDnsZone = z.infer<typeof zoneSchema>;

/** Zod schema of a zone `Metadata` entry. */
export const metadataSchema = z.object({
  kind: z.string(),
  metadata: z.array(z.string()),
  type: z.string().optional(),
});
/** A zone metadata entry: `kind` and its values. */
export type PowerDnsMetadata = z.infer<typeof metadataSchema>;

/** Zod schema of a DNSSEC `Cryptokey`. */
export const cryptokeySchema = z.object({
  id: z.number(),
  type: z.string().optional(),
  keytype: z.string(),
  active: z.boolean(),
  published: z.boolean().optional(),
  dnskey: z.string().optional(),
  ds: z.array(z.string()).optional(),
  cds: z.array(z.string()).optional(),
  privatekey: z.string().optional(),
  algorithm: z.string().optional(),
  bits: z.number().optional(),
  flags: z.number().optional(),
});
/** A DNSSEC key of a zone. */
export type PowerDnsCryptokey = z.infer<typeof cryptokeySchema>;

/** Zod schema of a `TSIGKey`. */
export const tsigKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  algorithm: z.string(),
  key: z.string().optional(),
  type: z.string().optional(),
});
/** A TSIG key (the secret only where PowerDNS returns it). */
export type PowerDnsTsigKey = z.infer<typeof tsigKeySchema>;

/** Zod schema of a `search-data` result (zone, record or comment). */
export const searchResultSchema = z.object({
  object_type: z.enum(['zone', 'record', 'comment']).or(z.string()),
  name: z.string(),
  zone_id: z.string().optional(),
  zone: z.string().optional(),
  type: z.string().optional(),
  ttl: z.number().optional(),
  content: z.string().optional(),
  disabled: z.boolean().optional(),
});
/** One `search-data` result. */
export type PowerDnsSearchResult = z.infer<typeof searchResultSchema>;

/** Zod schema of a statistic (`StatisticItem`, `MapStatisticItem` or `RingStatisticItem`). */
export const statisticItemSchema = z.object({
  name: z.string(),
  type: z.string(),
  // StatisticItem has a string; Map/Ring items have a list of {name, value}.
  value: z.union([z.string(), z.array(z.object({ name: z.string(), value: z.string() }))]),
  size: z.union([z.number(), z.string()]).optional(),
});
/** One server statistic. */
export type PowerDnsStatisticItem = z.infer<typeof statisticItemSchema>;

/** Zod schema of a `{ result }` answer (e.g. `PUT …/notify`). */
export const resultSchema = z.object({ result: z.string() }).loose();
/** A `{ result }` answer. */
export type PowerDnsResult = z.infer<typeof resultSchema>;

export const errorBodySchema = z.object({
  error: z.string(),
  errors: z.array(z.string()).optional(),
});

/** A zone's settings without its rrsets, for {@link zoneReader}. */
const zoneWithoutRRsetsSchema = zoneSchema.omit({ rrsets: true });

// Checks one rrset in place and fills the defaults zod would; false sends the zone to zod for a
// precise error message.
function acceptRRset(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  if (typeof r['name'] !== 'string' || typeof r['type'] !== 'string' || typeof r['ttl'] !== 'number')
    return false;
  const records = r['records'] ?? (r['records'] = []);
  if (!Array.isArray(records)) return false;
  for (const rec of records as unknown[]) {
    if (typeof rec !== 'object' || rec === null) return false;
    const x = rec as Record<string, unknown>;
    if (typeof x['content'] !== 'string') return false;
    if (x['disabled'] === undefined) x['disabled'] = false;
    else if (typeof x['disabled'] !== 'boolean') return false;
  }
  const comments = r['comments'] ?? (r['comments'] = []);
  if (!Array.isArray(comments)) return false;
  for (const c of comments as unknown[]) {
    if (typeof c !== 'object' || c === null) return false;
    const x = c as Record<string, unknown>;
    if (typeof x['content'] !== 'string') return false;
    if (x['account'] === undefined) x['account'] = '';
    else if (typeof x['account'] !== 'string') return false;
  }
  return true;
}

/**
 * Reads `GET /zones/{id}` answers. A big zone holds tens of thousands of rrsets, and a generic schema
 * copies every one of them: the rrsets are checked in place here (same rules as {@link rrsetSchema}),
 * the zone's own fields by zod, and anything unexpected goes through zod whole for its error report.
 */
export const zoneReader: Pick<z.ZodType<PowerDnsZone>, 'safeParse'> = {
  safeParse(data: unknown) {
    if (typeof data === 'object' && data !== null) {
      const rrsets = (data as Record<string, unknown>)['rrsets'];
      if (rrsets === undefined || (Array.isArray(rrsets) && rrsets.every(acceptRRset))) {
        const zone = zoneWithoutRRsetsSchema.safeParse(data);
        if (zone.success) {
          const out: PowerDnsZone =
            rrsets === undefined ? zone.data : { ...zone.data, rrsets: rrsets as PowerDnsRRset[] };
          return { success: true, data: out };
        }
      }
    }
    return zoneSchema.safeParse(data);
  },
};
