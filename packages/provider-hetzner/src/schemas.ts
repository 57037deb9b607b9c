/**
 * Shapes of Hetzner Cloud API answers (zones, RRSets, actions), as far as this package reads them.
 * Objects are loose: Hetzner adds fields, and an unknown field must never fail a call.
 */
import { z } from 'zod';

/** `meta.pagination` of a list answer; the last three may be null. */
export interface HetznerPagination {
  /** Page number, from 1. */
  page: number;
  /** Page size. */
  per_page: number;
  /** Previous page number, `null` on the first. */
  previous_page: number | null;
  /** Next page number, `null` on the last. */
  next_page: number | null;
  /** Last page number, when known. */
  last_page: number | null;
  /** Items on all pages, when known. */
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

/** The `meta` object of a list answer. */
export interface HetznerMeta {
  /** Paging information. */
  pagination: HetznerPagination;
}

export const metaSchema: z.ZodType<HetznerMeta> = z.looseObject({ pagination: paginationSchema });

/** The error envelope: `{"error":{"code","message","details"}}`. */
export interface HetznerErrorBody {
  /** Hetzner's error code, e.g. `invalid_input`, `uniqueness_error`, `rate_limit_exceeded`. */
  code: string;
  /** Hetzner's message. */
  message: string;
  /** Code-specific details, e.g. `fields` for `invalid_input`. */
  details?: unknown;
}

export const errorEnvelopeSchema: z.ZodType<{ error: HetznerErrorBody }> = z.looseObject({
  error: z.looseObject({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** One field's messages in `invalid_input` details. */
export interface HetznerInvalidField {
  /** The field, e.g. `records`. */
  name: string;
  /** What is wrong with it. */
  messages: string[];
}

/** A zone's mode: `primary` or `secondary`. */
export type HetznerZoneMode = 'primary' | 'secondary';

/** A zone as the API returns it (the fields this package reads; others are kept). */
export interface HetznerZone {
  /** Numeric zone id. */
  id: number;
  /** Zone name, e.g. `example.com`. */
  name: string;
  /** ISO 8601 creation time. */
  created?: string | undefined;
  /** Default TTL of the zone's RRSets. */
  ttl: number;
  /** `primary` (records managed here) or `secondary` (transferred in; RRSets cannot be read or written). */
  mode: HetznerZoneMode;
  /** Labels of the zone. */
  labels: Record<string, string>;
  /** Delete protection. */
  protection: { delete: boolean };
  /** Zone status as Hetzner reports it, e.g. `ok`. */
  status?: string | undefined;
  /** Number of records in the zone. */
  record_count?: number | undefined;
  /** Primaries of a secondary zone (not read by this package). */
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

/** One value of an RRSet. */
export interface HetznerRecord {
  /** Record data in zone-file form, e.g. `192.0.2.1` or `"text"`. */
  value: string;
  /** Comment on the value (`null` or absent when none). */
  comment?: string | null | undefined;
}

export const recordSchema: z.ZodType<HetznerRecord> = z.looseObject({
  value: z.string(),
  comment: z.string().nullable().optional(),
});

/** An RRSet as the API returns it. */
export interface HetznerRRSet {
  /** `<name>/<type>`, e.g. `www/AAAA`. */
  id: string;
  /** Relative to the zone, lower case, `@` at the apex. */
  name: string;
  /** Record type. */
  type: string;
  /** `null`: the zone's default TTL. */
  ttl: number | null;
  /** Labels of the RRSet (the provider maps them to `hetzner/label/…` properties). */
  labels: Record<string, string>;
  /** Change protection: while `change` is set, writes are refused. */
  protection: { change: boolean };
  /** The values, each with its comment. */
  records: HetznerRecord[];
  /** Id of the zone holding the RRSet. */
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

/** State of an action. */
export type HetznerActionStatus = 'running' | 'success' | 'error';

/** An asynchronous action, as writes return it and `GET /actions/{id}` reports it. */
export interface HetznerAction {
  /** Action id. */
  id: number;
  /** What the action does, e.g. `create_rrset`. */
  command: string;
  /** `running`, `success` or `error`. */
  status: HetznerActionStatus;
  /** Progress in percent, 0–100. */
  progress: number;
  /** ISO 8601 start time. */
  started: string;
  /** ISO 8601 end time, `null` while running. */
  finished: string | null;
  /** The resources the action concerns (zone, RRSet). */
  resources: { id: number | string; type: string }[];
  /** Why the action failed (`code`, `message`), `null` unless `status` is `error`. */
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
