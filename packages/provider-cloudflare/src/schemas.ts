/**
 * Shapes of Cloudflare API v4 answers, as far as this package reads them. Objects are loose
 * (`z.looseObject`): Cloudflare adds fields often, and an unknown field must never fail a call.
 */
import { z } from 'zod';

/** One item of `errors` / `messages`; DNS validation errors nest the real reason in `error_chain`. */
export interface CloudflareErrorItem {
  /** Cloudflare's numeric error code, e.g. 81044 (record already exists) or 9109 (unauthorised). */
  code: number;
  /** Cloudflare's message for it. */
  message: string;
  /** A link to Cloudflare's documentation of the error, when given. */
  documentation_url?: string | undefined;
  /** Where in the request the problem is (a JSON pointer), when given. */
  source?: { pointer?: string | undefined } | undefined;
  /** The underlying errors (DNS validation nests the real reason here). */
  error_chain?: CloudflareErrorItem[] | undefined;
}

export const errorItemSchema: z.ZodType<CloudflareErrorItem> = z.lazy(() =>
  z.looseObject({
    code: z.number(),
    message: z.string(),
    documentation_url: z.string().optional(),
    source: z.looseObject({ pointer: z.string().optional() }).optional(),
    error_chain: z.array(errorItemSchema).optional(),
  }),
);

/** Paging information of a list answer. */
export interface CloudflareResultInfo {
  /** Page number, from 1. */
  page: number;
  /** Page size asked for. */
  per_page: number;
  /** Items on this page. */
  count: number;
  /** Items on all pages. */
  total_count?: number | undefined;
  /** Number of pages. */
  total_pages?: number | undefined;
}

export const resultInfoSchema: z.ZodType<CloudflareResultInfo> = z.looseObject({
  page: z.number(),
  per_page: z.number(),
  count: z.number(),
  total_count: z.number().optional(),
  total_pages: z.number().optional(),
});

/** The envelope every answer comes in; `result` is checked separately per endpoint. */
export const envelopeSchema = z.looseObject({
  success: z.boolean(),
  errors: z.array(errorItemSchema).default([]),
  messages: z.array(z.unknown()).default([]),
  result: z.unknown(),
  result_info: resultInfoSchema.optional(),
});

/** A zone as `GET /zones` and `GET /zones/{id}` return it (the fields this package reads; others are kept). */
export interface CloudflareZone {
  [field: string]: unknown;
  /** Zone id, 32 hex digits. */
  id: string;
  /** Zone name, e.g. `example.com`. */
  name: string;
  /** `initializing`, `pending`, `active` or `moved`. */
  status?: string | undefined;
  /** True while the zone is paused (DNS only, no proxying). */
  paused?: boolean | undefined;
  /** `full`, `partial` (CNAME setup) or `secondary`. */
  type?: string | undefined;
  /** The account owning the zone. */
  account?: { id?: string | undefined; name?: string | undefined } | undefined;
  /** The plan; `legacy_id` is `free`, `pro`, `business` or `enterprise`. */
  plan?:
    | {
        id?: string | undefined;
        name?: string | undefined;
        legacy_id?: string | undefined;
        is_subscribed?: boolean | undefined;
        price?: number | undefined;
      }
    | undefined;
  /** Cloudflare's name servers assigned to the zone. */
  name_servers?: string[] | undefined;
}

export const zoneSchema: z.ZodType<CloudflareZone> = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string().optional(),
  paused: z.boolean().optional(),
  type: z.string().optional(),
  account: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
  plan: z
    .looseObject({
      id: z.string().optional(),
      name: z.string().optional(),
      legacy_id: z.string().optional(),
      is_subscribed: z.boolean().optional(),
      price: z.number().optional(),
    })
    .optional(),
  name_servers: z.array(z.string()).optional(),
});

/** Structured record data: SRV (`priority`, `weight`, `port`, `target`) and CAA (`flags`, `tag`, `value`). */
export interface CloudflareRecordData {
  [field: string]: unknown;
  /** SRV priority. */
  priority?: number | undefined;
  /** SRV weight. */
  weight?: number | undefined;
  /** SRV port. */
  port?: number | undefined;
  /** SRV target host. */
  target?: string | undefined;
  /** CAA flags. */
  flags?: number | undefined;
  /** CAA tag, e.g. `issue`. */
  tag?: string | undefined;
  /** CAA value, e.g. `letsencrypt.org`. */
  value?: string | undefined;
}

export const recordDataSchema: z.ZodType<CloudflareRecordData> = z.looseObject({
  priority: z.number().optional(),
  weight: z.number().optional(),
  port: z.number().optional(),
  target: z.string().optional(),
  flags: z.number().optional(),
  tag: z.string().optional(),
  value: z.string().optional(),
});

/** One DNS record: Cloudflare keeps one object (and one 32-hex id) per value. */
export interface CloudflareRecord {
  [field: string]: unknown;
  /** Record id, 32 hex digits. */
  id: string;
  /** Full name in punycode, no trailing dot. */
  name: string;
  /** Record type, e.g. `A`. */
  type: string;
  /** Record data for the simple types (for SRV and CAA also a rendering of `data`). */
  content?: string | undefined;
  /** Seconds; 1 = automatic (every proxied record reports 1). */
  ttl: number;
  /** True when the record is proxied (its TTL then reads 1). */
  proxied?: boolean | undefined;
  /** True when the record's type and content allow proxying. */
  proxiable?: boolean | undefined;
  /** MX (and URI) preference. */
  priority?: number | undefined;
  /** Structured data of SRV, CAA and similar types. */
  data?: CloudflareRecordData | undefined;
  /** The record's comment (`null` when none). */
  comment?: string | null | undefined;
  /** Tags as `name:value` strings. */
  tags?: string[] | undefined;
  /** Per-record settings, e.g. `flatten_cname`. */
  settings?: Record<string, unknown> | undefined;
  /** ISO 8601 creation time. */
  created_on?: string | undefined;
  /** ISO 8601 time of the last change. */
  modified_on?: string | undefined;
}

export const recordSchema: z.ZodType<CloudflareRecord> = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  content: z.string().optional(),
  ttl: z.number(),
  proxied: z.boolean().optional(),
  proxiable: z.boolean().optional(),
  priority: z.number().optional(),
  data: recordDataSchema.optional(),
  comment: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  created_on: z.string().optional(),
  modified_on: z.string().optional(),
});

/** What `POST …/dns_records/batch` returns: the records each list touched, in request order. */
export interface CloudflareBatchResult {
  /** The records deleted. */
  deletes?: CloudflareRecord[] | undefined;
  /** The records as changed. */
  patches?: CloudflareRecord[] | undefined;
  /** The records as replaced. */
  puts?: CloudflareRecord[] | undefined;
  /** The records created, with their new ids. */
  posts?: CloudflareRecord[] | undefined;
}

export const batchResultSchema: z.ZodType<CloudflareBatchResult> = z.looseObject({
  deletes: z.array(recordSchema).optional(),
  patches: z.array(recordSchema).optional(),
  puts: z.array(recordSchema).optional(),
  posts: z.array(recordSchema).optional(),
});

export const deleteResultSchema = z.looseObject({ id: z.string() });
