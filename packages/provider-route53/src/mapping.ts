/**
 * Translation between Route53 resource record sets and core endpoints: owner names (trailing dot,
 * `\052` and other `\ddd` escapes), values (TXT quoting and 255-octet strings, host names without
 * trailing dot), alias targets and routing policies under ExternalDNS's property names.
 */
import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import {
  endpoint,
  getProviderSpecific,
  normalizeDnsName,
  type Endpoint,
  type ProviderSpecificProperty,
} from '@openova/dns-core';
import {
  canonicalizeTarget,
  txtStringsOf,
  txtTargetOf,
  parseTxtStrings,
  quoteTxtString,
} from '@openova/dns-core/provider';

/** `alias`: `true` makes an A or AAAA endpoint an alias record (ExternalDNS's property). */
export const ALIAS_PROPERTY = 'alias';
/** ExternalDNS's Route53 provider-specific property names, exactly. */
export const AWS_PROPERTIES = {
  evaluateTargetHealth: 'aws/evaluate-target-health',
  targetHostedZone: 'aws/target-hosted-zone',
  hostedZoneId: 'aws/hosted-zone-id',
  weight: 'aws/weight',
  region: 'aws/region',
  failover: 'aws/failover',
  geolocationContinentCode: 'aws/geolocation-continent-code',
  geolocationCountryCode: 'aws/geolocation-country-code',
  geolocationSubdivisionCode: 'aws/geolocation-subdivision-code',
  geoproximityRegion: 'aws/geoproximity-region',
  geoproximityLocalZoneGroup: 'aws/geoproximity-local-zone-group',
  geoproximityCoordinates: 'aws/geoproximity-coordinates',
  geoproximityBias: 'aws/geoproximity-bias',
  multiValueAnswer: 'aws/multi-value-answer',
  healthCheckId: 'aws/health-check-id',
} as const;

/** TTL alias records are read back with (they have none), as ExternalDNS does. */
export const ALIAS_TTL = 300;

/** The routing policy of a record set, or `simple`. */
export type RoutingPolicy =
  'simple' | 'weighted' | 'latency' | 'failover' | 'geolocation' | 'geoproximity' | 'multivalue';

const HOST_TYPES = new Set(['CNAME', 'NS', 'PTR', 'DNAME']);

/**
 * An owner name as Route53 returns it (`\052.example.com.`, `\ddd` octal escapes, any case) in the
 * form endpoints use: escapes decoded, lower case, no trailing dot.
 */
export function decodeRoute53Name(name: string): string {
  return normalizeDnsName(decodeOctalEscapes(name, 0));
}

/**
 * Route53 writes octets outside 0x20–0x7E as `\ddd` (octal) in names and TXT values
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html). Decodes runs
 * of such escapes whose octets are at least `min` as UTF-8 (so `\303\251` is `é`); an escaped
 * backslash (`\\`) is kept as it is.
 */
function decodeOctalEscapes(text: string, min: number): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\\\|(?:\\[0-3][0-7]{2})+/g, (run) => {
    if (run === '\\\\') return run;
    const bytes = run
      .slice(1)
      .split('\\')
      .map((oct) => parseInt(oct, 8));
    if (bytes.some((b) => b < min)) {
      // ASCII escapes (a quote, a backslash) stay escaped: the TXT string parser reads them
      return run.replace(/\\([0-3][0-7]{2})/g, (m, oct: string) =>
        parseInt(oct, 8) < min ? m : String.fromCharCode(parseInt(oct, 8)),
      );
    }
    return Buffer.from(bytes).toString('utf8');
  });
}

/** Non-ASCII characters as `\ddd` escapes of their UTF-8 octets, as Route53 stores them. */
function encodeNonAscii(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x00-\x7e]+/gu, (run) =>
    Array.from(Buffer.from(run, 'utf8'), (b) => `\\${b.toString(8).padStart(3, '0')}`).join(''),
  );
}

/** An endpoint name as Route53 stores it: lower case, trailing dot, `*` as `\052`. */
export function encodeRoute53Name(name: string): string {
  const n = normalizeDnsName(name);
  return `${n.replace(/\*/g, '\\052')}.`;
}

/** A target as Route53 wants its `Value`: TXT quoted (≤ 255-octet strings), host names absolute. */
export function targetToValue(recordType: string, target: string): string {
  const type = recordType.toUpperCase();
  if (type === 'TXT' || type === 'SPF')
    return encodeNonAscii(txtStringsOf(target).map(quoteTxtString).join(' '));
  const canonical = canonicalizeTarget(type, target);
  if (HOST_TYPES.has(type)) return canonical.endsWith('.') ? canonical : `${canonical}.`;
  if (type === 'MX') {
    const [pref = '', host = ''] = canonical.split(' ');
    return `${pref} ${host.endsWith('.') ? host : `${host}.`}`;
  }
  if (type === 'SRV') {
    const [p = '', w = '', port = '', host = ''] = canonical.split(' ');
    return `${p} ${w} ${port} ${host.endsWith('.') ? host : `${host}.`}`;
  }
  return canonical;
}

/** A Route53 `Value` as an endpoint target (what {@link targetToValue} wrote, read back). */
export function valueToTarget(recordType: string, value: string): string {
  const type = recordType.toUpperCase();
  if (type === 'TXT' || type === 'SPF') {
    const chunks = parseTxtStrings(decodeOctalEscapes(value, 0x80));
    return chunks ? txtTargetOf(chunks) : value;
  }
  return canonicalizeTarget(type, value);
}

/** The canonical form {@link valueToTarget} gives a desired target once written. */
export function canonicalTargetFor(recordType: string, target: string): string {
  return valueToTarget(recordType, targetToValue(recordType, target));
}

/** True when an A or AAAA endpoint is an alias record (`alias` = `true`, or `A`/`AAAA` naming its own type). */
export function isAlias(ep: Pick<Endpoint, 'providerSpecific' | 'recordType'>): boolean {
  const v = ep.providerSpecific.find((p) => p.name === ALIAS_PROPERTY)?.value;
  // ownership TXT records copy their record's properties; only A and AAAA are aliases
  if (v === undefined || !['A', 'AAAA'].includes(ep.recordType.toUpperCase())) return false;
  // spelt exactly, as core's target checks and ExternalDNS read it
  return v === 'true' || v === ep.recordType.toUpperCase();
}

/** The routing policy named by an endpoint's properties (the first one found, in ExternalDNS's order). */
export function routingPolicyOf(ep: Endpoint): RoutingPolicy {
  const has = (name: string) => getProviderSpecific(ep, name) !== undefined;
  if (has(AWS_PROPERTIES.weight)) return 'weighted';
  if (has(AWS_PROPERTIES.region)) return 'latency';
  if (has(AWS_PROPERTIES.failover)) return 'failover';
  if (
    has(AWS_PROPERTIES.geolocationContinentCode) ||
    has(AWS_PROPERTIES.geolocationCountryCode) ||
    has(AWS_PROPERTIES.geolocationSubdivisionCode)
  )
    return 'geolocation';
  if (
    has(AWS_PROPERTIES.geoproximityRegion) ||
    has(AWS_PROPERTIES.geoproximityLocalZoneGroup) ||
    has(AWS_PROPERTIES.geoproximityCoordinates)
  )
    return 'geoproximity';
  if (has(AWS_PROPERTIES.multiValueAnswer)) return 'multivalue';
  return 'simple';
}

function sortProps(props: ProviderSpecificProperty[]): ProviderSpecificProperty[] {
  return props.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The routing and health-check properties of a record set, as ExternalDNS names them. */
function routingProperties(set: ResourceRecordSet): ProviderSpecificProperty[] {
  const props: ProviderSpecificProperty[] = [];
  const add = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) props.push({ name, value: String(value) });
  };
  add(AWS_PROPERTIES.weight, set.Weight);
  add(AWS_PROPERTIES.region, set.Region);
  add(AWS_PROPERTIES.failover, set.Failover);
  add(AWS_PROPERTIES.geolocationContinentCode, set.GeoLocation?.ContinentCode);
  add(AWS_PROPERTIES.geolocationCountryCode, set.GeoLocation?.CountryCode);
  add(AWS_PROPERTIES.geolocationSubdivisionCode, set.GeoLocation?.SubdivisionCode);
  const gp = set.GeoProximityLocation;
  if (gp) {
    add(AWS_PROPERTIES.geoproximityRegion, gp.AWSRegion);
    add(AWS_PROPERTIES.geoproximityLocalZoneGroup, gp.LocalZoneGroup);
    if (gp.Coordinates)
      add(AWS_PROPERTIES.geoproximityCoordinates, `${gp.Coordinates.Latitude},${gp.Coordinates.Longitude}`);
    add(AWS_PROPERTIES.geoproximityBias, gp.Bias ?? 0);
  }
  if (set.MultiValueAnswer) add(AWS_PROPERTIES.multiValueAnswer, 'true');
  add(AWS_PROPERTIES.healthCheckId, set.HealthCheckId);
  return props;
}

/**
 * One resource record set as an endpoint. Alias sets read back as their type (A or AAAA) with the
 * target's name, TTL {@link ALIAS_TTL}, `alias` = `true` and `aws/evaluate-target-health`;
 * `aws/target-hosted-zone` appears only when `expectedTargetZone` (what the provider would pick for
 * the target) differs from the stored zone.
 */
export function recordSetToEndpoint(
  set: ResourceRecordSet,
  expectedTargetZone?: (target: string) => string | undefined,
): Endpoint {
  const type = String(set.Type ?? '').toUpperCase();
  const props = routingProperties(set);
  let targets: string[];
  let ttl = set.TTL ?? 0;
  if (set.AliasTarget) {
    const target = decodeRoute53Name(set.AliasTarget.DNSName ?? '');
    targets = [target];
    ttl = ALIAS_TTL;
    props.push({ name: ALIAS_PROPERTY, value: 'true' });
    props.push({
      name: AWS_PROPERTIES.evaluateTargetHealth,
      value: String(set.AliasTarget.EvaluateTargetHealth ?? false),
    });
    const zoneId = bareZoneId(set.AliasTarget.HostedZoneId ?? '');
    if (expectedTargetZone?.(target) !== zoneId)
      props.push({ name: AWS_PROPERTIES.targetHostedZone, value: zoneId });
  } else {
    targets = (set.ResourceRecords ?? []).map((r) => valueToTarget(type, r.Value ?? ''));
  }
  return endpoint({
    dnsName: decodeRoute53Name(set.Name ?? ''),
    recordType: type,
    targets,
    recordTTL: ttl,
    setIdentifier: set.SetIdentifier ?? '',
    providerSpecific: sortProps(props),
  });
}

/** `Z123` from `/hostedzone/Z123` or `Z123`. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

/**
 * A hosted zone id as a caller gives it in `aws/target-hosted-zone` or `aws/hosted-zone-id`
 * (`/hostedzone/Z123`, ` z123 `) as Route53 stores it: bare, trimmed, upper case. Route53's ids are
 * upper-case letters and digits (type `ResourceId`, at most 32 characters) and it refuses any other
 * case, so `zother123` can only mean `ZOTHER123`.
 */
export function hostedZoneIdOf(value: string): string {
  return bareZoneId(value.trim()).toUpperCase();
}

/** A hosted zone id {@link hostedZoneIdOf} gives that Route53 can take: letters and digits, 1 to 32. */
export const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;

/**
 * `aws/evaluate-target-health` and `alias` as booleans: exactly `true` or `false`, as ExternalDNS
 * compares them (provider/aws/aws.go, `AdjustEndpoints`); `undefined` for anything else (which
 * `routingIssues` refuses before anything is planned or written).
 */
export function parseAwsBool(value: string | undefined): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** What {@link endpointToRecordSet} needs to know besides the endpoint. */
export interface RecordSetContext {
  /** The hosted zone id the record set is written to (same-zone aliases point at it). */
  zoneId: string;
  /** The canonical hosted zone of an alias target, when known. */
  targetZoneOf: (target: string) => string | undefined;
  /** Default of `aws/evaluate-target-health` (ExternalDNS: true). */
  evaluateTargetHealth: boolean;
}

/** An endpoint as the resource record set Route53 stores for it. */
export function endpointToRecordSet(ep: Endpoint, ctx: RecordSetContext): ResourceRecordSet {
  const type = ep.recordType.toUpperCase() as RRType;
  const set: ResourceRecordSet = { Name: encodeRoute53Name(ep.dnsName), Type: type };
  if (ep.setIdentifier) set.SetIdentifier = ep.setIdentifier;
  const prop = (name: string) => getProviderSpecific(ep, name);
  if (isAlias(ep)) {
    const target = ep.targets[0] ?? '';
    set.AliasTarget = {
      DNSName: `${normalizeDnsName(target)}.`,
      HostedZoneId: hostedZoneIdOf(
        prop(AWS_PROPERTIES.targetHostedZone) ?? ctx.targetZoneOf(target) ?? ctx.zoneId,
      ),
      EvaluateTargetHealth:
        parseAwsBool(prop(AWS_PROPERTIES.evaluateTargetHealth)) ?? ctx.evaluateTargetHealth,
    };
  } else {
    set.TTL = ep.recordTTL;
    set.ResourceRecords = ep.targets.map((t) => ({ Value: targetToValue(type, t) }));
  }
  const weight = prop(AWS_PROPERTIES.weight);
  if (weight !== undefined) set.Weight = Number.parseInt(weight, 10) || 0;
  const region = prop(AWS_PROPERTIES.region);
  if (region !== undefined) set.Region = region as ResourceRecordSet['Region'];
  const failover = prop(AWS_PROPERTIES.failover);
  if (failover !== undefined) set.Failover = failover.toUpperCase() as ResourceRecordSet['Failover'];
  const continent = prop(AWS_PROPERTIES.geolocationContinentCode);
  const country = prop(AWS_PROPERTIES.geolocationCountryCode);
  const subdivision = prop(AWS_PROPERTIES.geolocationSubdivisionCode);
  if (continent !== undefined) set.GeoLocation = { ContinentCode: continent };
  else if (country !== undefined)
    set.GeoLocation = {
      CountryCode: country,
      ...(subdivision !== undefined ? { SubdivisionCode: subdivision } : {}),
    };
  const gpRegion = prop(AWS_PROPERTIES.geoproximityRegion);
  const gpZone = prop(AWS_PROPERTIES.geoproximityLocalZoneGroup);
  const gpCoords = prop(AWS_PROPERTIES.geoproximityCoordinates);
  if (gpRegion !== undefined || gpZone !== undefined || gpCoords !== undefined) {
    const [lat = '', long = ''] = (gpCoords ?? '').split(',').map((s) => s.trim());
    set.GeoProximityLocation = {
      ...(gpRegion !== undefined ? { AWSRegion: gpRegion } : {}),
      ...(gpZone !== undefined ? { LocalZoneGroup: gpZone } : {}),
      ...(gpCoords !== undefined ? { Coordinates: { Latitude: lat, Longitude: long } } : {}),
      Bias: Number.parseInt(prop(AWS_PROPERTIES.geoproximityBias) ?? '0', 10) || 0,
    };
  }
  if (prop(AWS_PROPERTIES.multiValueAnswer) !== undefined) set.MultiValueAnswer = true;
  const hc = prop(AWS_PROPERTIES.healthCheckId);
  if (hc !== undefined) set.HealthCheckId = hc;
  return set;
}

/** The characters of a record set's `Value` elements (an alias counts its target name). */
export function valueCharacters(set: ResourceRecordSet): number {
  if (set.AliasTarget) return (set.AliasTarget.DNSName ?? '').length;
  return (set.ResourceRecords ?? []).reduce((n, r) => n + (r.Value ?? '').length, 0);
}

/** The `ResourceRecord` elements of a record set (an alias counts one). */
export function resourceRecordCount(set: ResourceRecordSet): number {
  return set.AliasTarget ? 1 : (set.ResourceRecords ?? []).length;
}
