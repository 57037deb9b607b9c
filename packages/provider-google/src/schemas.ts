/**
 * The Cloud DNS v1 wire shapes the client reads and writes, as zod schemas (loose: fields Google
 * adds later pass through). Source: the Cloud DNS v1 discovery document (`ManagedZone`,
 * `ResourceRecordSet`, `RRSetRoutingPolicy`, `Change`, the list responses) and Google's JSON error
 * envelope.
 */
import { z } from 'zod';

/** `healthCheckedTargets` of a routing-policy item (internal load balancers or external IPs). */
export const healthCheckedTargetsSchema = z.looseObject({
  internalLoadBalancers: z
    .array(
      z.looseObject({
        ipAddress: z.string().optional(),
        ipProtocol: z.string().optional(),
        loadBalancerType: z.string().optional(),
        networkUrl: z.string().optional(),
        port: z.string().optional(),
        project: z.string().optional(),
        region: z.string().optional(),
      }),
    )
    .optional(),
  externalEndpoints: z.array(z.string()).optional(),
});

/** One item of a `geo` policy: the answer for queries nearest to a Google Cloud region. */
export const geoItemSchema = z.looseObject({
  location: z.string(),
  rrdatas: z.array(z.string()).optional(),
  signatureRrdatas: z.array(z.string()).optional(),
  healthCheckedTargets: healthCheckedTargetsSchema.optional(),
});

/** One item of a `wrr` (weighted round robin) policy: answered with probability ∝ `weight`. */
export const wrrItemSchema = z.looseObject({
  weight: z.number(),
  rrdatas: z.array(z.string()).optional(),
  signatureRrdatas: z.array(z.string()).optional(),
  healthCheckedTargets: healthCheckedTargetsSchema.optional(),
});

const geoPolicySchema = z.looseObject({
  items: z.array(geoItemSchema),
  enableFencing: z.boolean().optional(),
});

/** `RRSetRoutingPolicy`: exactly one of `geo`, `wrr`, `primaryBackup`. */
export const routingPolicySchema = z.looseObject({
  geo: geoPolicySchema.optional(),
  wrr: z.looseObject({ items: z.array(wrrItemSchema) }).optional(),
  primaryBackup: z
    .looseObject({
      primaryTargets: healthCheckedTargetsSchema.optional(),
      backupGeoTargets: geoPolicySchema.optional(),
      trickleTraffic: z.number().optional(),
    })
    .optional(),
  healthCheck: z.string().optional(),
});

/** `ResourceRecordSet`: either `rrdatas` or a `routingPolicy`. */
export const rrsetSchema = z.looseObject({
  kind: z.string().optional(),
  name: z.string(),
  type: z.string(),
  ttl: z.number().int().optional(),
  rrdatas: z.array(z.string()).optional(),
  signatureRrdatas: z.array(z.string()).optional(),
  routingPolicy: routingPolicySchema.optional(),
});

/** `ManagedZone` (the fields the provider reads). */
export const managedZoneSchema = z.looseObject({
  kind: z.string().optional(),
  name: z.string(),
  dnsName: z.string(),
  id: z.string(),
  description: z.string().optional(),
  visibility: z.enum(['public', 'private']).optional(),
  peeringConfig: z.looseObject({}).optional(),
  forwardingConfig: z.looseObject({}).optional(),
  reverseLookupConfig: z.looseObject({}).optional(),
  serviceDirectoryConfig: z.looseObject({}).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  nameServers: z.array(z.string()).optional(),
  creationTime: z.string().optional(),
});

/** `Change`: status `pending` until the change is served, then `done`. */
export const changeSchema = z.looseObject({
  kind: z.string().optional(),
  id: z.string(),
  status: z.enum(['pending', 'done']),
  startTime: z.string().optional(),
  isServing: z.boolean().optional(),
  additions: z.array(rrsetSchema).optional(),
  deletions: z.array(rrsetSchema).optional(),
});

/** `projects.get`: the project's effective limits (`quota`). */
export const projectSchema = z.looseObject({
  id: z.string().optional(),
  number: z.string().optional(),
  quota: z
    .looseObject({
      rrsetAdditionsPerChange: z.number().optional(),
      rrsetDeletionsPerChange: z.number().optional(),
      totalRrdataSizePerChange: z.number().optional(),
      resourceRecordsPerRrset: z.number().optional(),
      rrsetsPerManagedZone: z.number().optional(),
      itemsPerRoutingPolicy: z.number().optional(),
    })
    .optional(),
});

export const managedZonesPageSchema = z.looseObject({
  managedZones: z.array(managedZoneSchema).optional(),
  nextPageToken: z.string().optional(),
});

export const rrsetsPageSchema = z.looseObject({
  rrsets: z.array(rrsetSchema).optional(),
  nextPageToken: z.string().optional(),
});

/** Google's JSON error envelope: `{ error: { code, message, errors: [{ reason, message, domain }] } }`. */
export const errorEnvelopeSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z
      .array(
        z.looseObject({
          reason: z.string().optional(),
          message: z.string().optional(),
          domain: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

/** `healthCheckedTargets` of a routing-policy item: internal load balancers or external IPs. */
export type GoogleHealthCheckedTargets = z.infer<typeof healthCheckedTargetsSchema>;
/** One item of a `geo` policy: `location` (a Google Cloud region) and its `rrdatas`. */
export type GoogleGeoItem = z.infer<typeof geoItemSchema>;
/** One item of a `wrr` policy: `weight` (answered with probability ∝ weight) and its `rrdatas`. */
export type GoogleWrrItem = z.infer<typeof wrrItemSchema>;
/** A record set's `routingPolicy` (geo, weighted round robin or primary-backup). */
export type GoogleRoutingPolicy = z.infer<typeof routingPolicySchema>;
/** A `ResourceRecordSet` as the API returns and takes it. */
export type GoogleRRSet = z.infer<typeof rrsetSchema>;
/** A `ManagedZone` (source: Cloud DNS v1 `managedZones` resource): `name`, `dnsName`, numeric `id`, `visibility`, … */
export type GoogleManagedZone = z.infer<typeof managedZoneSchema>;
/** A `Change` (source: Cloud DNS v1 `changes` resource): `id`, `status` `pending` then `done`, additions, deletions. */
export type GoogleChange = z.infer<typeof changeSchema>;
/** A `Project` from `projects.get`: its effective per-change and per-zone limits in `quota`. */
export type GoogleProject = z.infer<typeof projectSchema>;
