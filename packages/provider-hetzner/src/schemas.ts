/**
 * Shapes of Hetzner Cloud API answers (zones, RRSets, actions), as far as this package reads them.
 * Objects are loose: Hetzner adds fields, and an unknown field must never fail a call.
 */
import { z } from 'zod';

/** `meta.pagination` of a list answer; the last three may be null. */
export interface HetznerPagination {
  page: number;
  per_page: number;
  previous_page: number | null;
  next_page: number | null;
  last_page: number | null;
  total_entries: number | null;
}

export const paginationSchema: z.ZodType<HetznerPagination> = z.looseObject({
  page: z.number(),
  per_page: z.number(),
  previous_page: z.number().nullable(),
  next_page: z.number().nullable(),
  last_page: z.number().nullable(),
  total_entries: z.number().nullable(),
});

export interface HetznerMeta {
  pagination: HetznerPagination;
}

export const metaSchema: z.ZodType<HetznerMeta> = z.looseObject({ pagination: paginationSchema });

/** The error envelope: `{"error":{"code","message","details"}}`. */
export interface HetznerErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export const errorEnvelopeSchema: z.ZodType<{ error: HetznerErrorBody }> = z.looseObject({
  error: z.looseObject({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** One field's messages in `invalid_input` details. */
export interface HetznerInvalidField {
  name: string;
  messages: string[];
}

export type HetznerZoneMode = 'primary' | 'secondary';

export interface HetznerZone {
  id: number;
  name: string;
  created?: string | undefined;
  /** Default TTL of the zone's RRSets. */
  ttl: number;
  mode: HetznerZoneMode;
  labels: Record<string, string>;
  protection: { delete: boolean };
  status?: string | undefined;
  record_count?: number | undefined;
  primary_nameservers?: unknown;
}

export const zoneSchema: z.ZodType<HetznerZone> = z.looseObject({
  id: z.number(),
  name: z.string(),
  created: z.string().optional(),
  ttl: z.number(),
  mode: z.enum(['primary', 'secondary']),
  labels: z.record(z.string(), z.string()),
  protection: z.looseObject({ delete: z.boolean() }),
  status: z.string().optional(),
  record_count: z.number().optional(),
  primary_nameservers: z.unknown().optional(),
});

export interface HetznerRecord {
  value: string;
  comment?: string | null | undefined;
}

export const recordSchema: z.ZodType<HetznerRecord> = z.looseObject({
  value: z.string(),
  comment: z.string().nullable().optional(),
});

export interface HetznerRRSet {
  /** `<name>/<type>`, e.g. `www/AAAA`. */
  id: string;
  /** Relative to the zone, lower case, `@` at the apex. */
  name: string;
  type: string;
  /** `null`: the zone's default TTL. */
  ttl: number | null;
  labels: Record<string, string>;
  protection: { change: boolean };
  records: HetznerRecord[];
  zone: number;
}

export const rrsetSchema: z.ZodType<HetznerRRSet> = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  ttl: z.number().nullable(),
  labels: z.record(z.string(), z.string()),
  protection: z.looseObject({ change: z.boolean() }),
  records: z.array(recordSchema),
  zone: z.number(),
});

export type HetznerActionStatus = 'running' | 'success' | 'error';

export interface HetznerAction {
  id: number;
  command: string;
  status: HetznerActionStatus;
  progress: number;
  started: string;
  finished: string | null;
  resources: { id: number | string; type: string }[];
  error: { code: string; message: string } | null;
}

export const actionSchema: z.ZodType<HetznerAction> = z.looseObject({
  id: z.number(),
  command: z.string(),
  status: z.enum(['running', 'success', 'error']),
  progress: z.number(),
  started: z.string(),
  finished: z.string().nullable(),
  resources: z.array(z.looseObject({ id: z.union([z.number(), z.string()]), type: z.string() })),
  error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
});
