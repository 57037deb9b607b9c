/**
 * Shapes of Cloudflare API v4 answers, as far as this package reads them. Objects are loose
 * (`z.looseObject`): Cloudflare adds fields often, and an unknown field must never fail a call.
 */
import { z } from 'zod';

/** One item of `errors` / `messages`; DNS validation errors nest the real reason in `error_chain`. */
export interface CloudflareErrorItem {
  code: number;
  message: string;
  documentation_url?: string | undefined;
  source?: { pointer?: string | undefined } | undefined;
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

export const resultInfoSchema = z.looseObject({
  page: z.number(),
  per_page: z.number(),
  count: z.number(),
  total_count: z.number().optional(),
  total_pages: z.number().optional(),
});
export type CloudflareResultInfo = z.infer<typeof resultInfoSchema>;

/** The envelope every answer comes in; `result` is checked separately per endpoint. */
export const envelopeSchema = z.looseObject({
  success: z.boolean(),
  errors: z.array(errorItemSchema).default([]),
  messages: z.array(z.unknown()).default([]),
  result: z.unknown(),
  result_info: resultInfoSchema.optional(),
});

export const zoneSchema = z.looseObject({
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
/** A zone as `GET /zones` and `GET /zones/{id}` return it (fields this package reads). */
export type CloudflareZone = z.infer<typeof zoneSchema>;

export const recordDataSchema = z.looseObject({
  priority: z.number().optional(),
  weight: z.number().optional(),
  port: z.number().optional(),
  target: z.string().optional(),
  flags: z.number().optional(),
  tag: z.string().optional(),
  value: z.string().optional(),
});
/** Structured record data (SRV and CAA here; Cloudflare has it for more types). */
export type CloudflareRecordData = z.infer<typeof recordDataSchema>;

export const recordSchema = z.looseObject({
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
/** One DNS record: Cloudflare keeps one object (and one id) per value. */
export type CloudflareRecord = z.infer<typeof recordSchema>;

export const batchResultSchema = z.looseObject({
  deletes: z.array(recordSchema).optional(),
  patches: z.array(recordSchema).optional(),
  puts: z.array(recordSchema).optional(),
  posts: z.array(recordSchema).optional(),
});
/** What `POST …/dns_records/batch` returns: the records each list touched, in request order. */
export type CloudflareBatchResult = z.infer<typeof batchResultSchema>;

export const deleteResultSchema = z.looseObject({ id: z.string() });
