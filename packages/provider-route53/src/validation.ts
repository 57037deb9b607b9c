/**
 * What Route53 accepts in a record set's routing fields, checked before anything is sent so that a
 * bad value is a `ValidationError` naming the caller's input (a dry run included) instead of a
 * refused batch. Sources: the Route 53 API reference (`ResourceRecordSet`, `GeoLocation`,
 * `GeoProximityLocation`, `AliasTarget`) and the Smithy model the AWS SDK is generated from
 * (`ResourceRecordSetRegion`).
 */
import { isIP } from 'node:net';
import { ResourceRecordSetRegion } from '@aws-sdk/client-route-53';
import {
  describeEndpoint,
  getProviderSpecific,
  type Endpoint,
  type Issue,
  type IssuePath,
} from '@openova/dns-core';
import {
  ALIAS_PROPERTY,
  AWS_PROPERTIES,
  HOSTED_ZONE_ID,
  hostedZoneIdOf,
  parseAwsBool,
  type RoutingPolicy,
} from './mapping.js';

/** Longest `SetIdentifier` Route53 takes (API reference: length 1 to 128). */
export const MAX_SET_IDENTIFIER_LENGTH = 128;

/** The regions of latency records (`aws/region`): the API model's `ResourceRecordSetRegion`. */
export const ROUTE53_LATENCY_REGIONS: ReadonlySet<string> = new Set(Object.values(ResourceRecordSetRegion));

/** `GeoLocation.ContinentCode` values (API reference, `GeoLocation`). */
export const ROUTE53_CONTINENT_CODES: ReadonlySet<string> = new Set([
  'AF',
  'AN',
  'AS',
  'EU',
  'OC',
  'NA',
  'SA',
]);

/**
 * `GeoLocation.CountryCode` values: ISO 3166-1 alpha-2 (Route53 uses that standard, Ukraine
 * included), and `*` for the default location.
 */
export const ROUTE53_COUNTRY_CODES: ReadonlySet<string> = new Set([
  '*',
  ...(
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY ' +
    'BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK ' +
    'FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR ' +
    'IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ' +
    'ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM ' +
    'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF ' +
    'TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
]);

/**
 * `GeoLocation.SubdivisionCode` values: Route53 takes only states of the United States (with
 * `CountryCode` `US`), spelled as the USPS two-letter state and possession abbreviations.
 */
export const ROUTE53_US_SUBDIVISION_CODES: ReadonlySet<string> = new Set(
  (
    'AL AK AS AZ AR CA CO CT DE DC FM FL GA GU HI ID IL IN IA KS KY LA ME MH MD MA MI MN MS MO MT NE NV NH NJ NM ' +
    'NY NC ND MP OH OK OR PW PA PR RI SC SD TN TX UT VT VI VA WA WV WI WY'
  ).split(' '),
);

/** The properties of each routing policy: a record set has at most one policy. */
const POLICY_PROPERTIES: readonly (readonly [RoutingPolicy, readonly string[]])[] = [
  ['weighted', [AWS_PROPERTIES.weight]],
  ['latency', [AWS_PROPERTIES.region]],
  ['failover', [AWS_PROPERTIES.failover]],
  [
    'geolocation',
    [
      AWS_PROPERTIES.geolocationContinentCode,
      AWS_PROPERTIES.geolocationCountryCode,
      AWS_PROPERTIES.geolocationSubdivisionCode,
    ],
  ],
  [
    'geoproximity',
    [
      AWS_PROPERTIES.geoproximityRegion,
      AWS_PROPERTIES.geoproximityLocalZoneGroup,
      AWS_PROPERTIES.geoproximityCoordinates,
      AWS_PROPERTIES.geoproximityBias,
    ],
  ],
  ['multivalue', [AWS_PROPERTIES.multiValueAnswer]],
];

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * An `alias` value Route53 cannot read (`yes`, `1`, `TRUE`): it is `true`, `false`, `A` or `AAAA`
 * (or `CNAME` on a CNAME), as core's endpoint checks take it. Reconcile and `applyChanges` see this
 * from core already; `adjustEndpoints` called directly needs it here.
 */
export function aliasValueIssues(ep: Endpoint, path: IssuePath, issues: Issue[]): void {
  const type = ep.recordType.toUpperCase();
  if (!['A', 'AAAA', 'CNAME'].includes(type)) return;
  const accepted = ['true', 'false', 'A', 'AAAA', ...(type === 'CNAME' ? ['CNAME'] : [])];
  ep.providerSpecific.forEach((p, j) => {
    if (p.name === ALIAS_PROPERTY && !accepted.includes(p.value))
      issues.push({
        path: [...path, 'providerSpecific', j, 'value'],
        code: 'invalid_alias',
        message: `${describeEndpoint(ep)}: alias ${JSON.stringify(p.value)} is not understood: it is one of ${accepted.map((v) => JSON.stringify(v)).join(', ')}`,
      });
  });
}

/**
 * Every problem Route53 would refuse in `ep`'s routing: a set identifier over 128 characters,
 * properties of two routing policies, `aws/weight` not an integer from 0 to 255, `aws/failover`
 * not `PRIMARY` or `SECONDARY`, `aws/region` not a latency region, geolocation codes Route53 does
 * not take (a continent beside a country, a subdivision outside `US`), geoproximity with several
 * locations, a bias outside −99…99 or coordinates out of range, `aws/evaluate-target-health` not
 * exactly `true` or `false`, `aws/multi-value-answer` other than `""` or `true`, a hosted zone id
 * (`aws/target-hosted-zone`, `aws/hosted-zone-id`) that is not letters and digits (any case, bare
 * or `/hostedzone/…`, at most 32), and an alias whose target is an IP address. Each issue's path starts with `path`; property issues point at
 * `providerSpecific[j].value`.
 *
 * @param ep The endpoint as given (`alias` = `true` on a CNAME counts as an alias).
 * @param path Where `ep` is in the caller's input, e.g. `[3]` or `['create', 0]`.
 * @param issues Receives the problems found.
 */
export function routingIssues(ep: Endpoint, path: IssuePath, issues: Issue[]): void {
  const what = describeEndpoint(ep);
  const add = (at: IssuePath, code: string, message: string) =>
    issues.push({ path: [...path, ...at], code, message: `${what}: ${message}` });
  if (ep.setIdentifier.length > MAX_SET_IDENTIFIER_LENGTH)
    add(
      ['setIdentifier'],
      'set_identifier_too_long',
      `the set identifier is ${ep.setIdentifier.length} characters; Route53 takes at most ${MAX_SET_IDENTIFIER_LENGTH}`,
    );
  const index = (name: string) => ep.providerSpecific.findIndex((p) => p.name === name);
  const policies = POLICY_PROPERTIES.filter(([, names]) => names.some((n) => index(n) >= 0));
  if (policies.length > 1) {
    const second = policies[1] as (typeof policies)[number];
    const at = second[1].map(index).reduce((min, j) => (j >= 0 && j < min ? j : min), Infinity);
    add(
      ['providerSpecific', at, 'name'],
      'routing_policy_conflict',
      `properties of ${policies.length} routing policies (${policies.map(([p]) => p).join(', ')}); a Route53 record set has one`,
    );
  }
  ep.providerSpecific.forEach((p, j) => {
    const bad = (code: string, message: string) =>
      add(['providerSpecific', j, 'value'], code, `${p.name} ${JSON.stringify(p.value)}: ${message}`);
    switch (p.name) {
      case AWS_PROPERTIES.weight: {
        const n = Number(p.value);
        if (!/^\d+$/.test(p.value.trim()) || n > 255)
          bad('invalid_weight', 'a weight is an integer from 0 to 255');
        break;
      }
      case AWS_PROPERTIES.failover:
        if (!['PRIMARY', 'SECONDARY'].includes(p.value.toUpperCase()))
          bad('invalid_failover', 'failover is PRIMARY or SECONDARY');
        break;
      case AWS_PROPERTIES.region:
        if (!ROUTE53_LATENCY_REGIONS.has(p.value))
          bad('invalid_region', 'not a Route53 latency region (e.g. us-east-1, eu-west-1)');
        break;
      case AWS_PROPERTIES.geolocationContinentCode:
        if (!ROUTE53_CONTINENT_CODES.has(p.value))
          bad('invalid_geolocation', `a continent code is one of ${[...ROUTE53_CONTINENT_CODES].join(', ')}`);
        break;
      case AWS_PROPERTIES.geolocationCountryCode:
        if (!ROUTE53_COUNTRY_CODES.has(p.value))
          bad(
            'invalid_geolocation',
            'a country code is ISO 3166-1 alpha-2 in capitals (DE, US) or * (the default)',
          );
        break;
      case AWS_PROPERTIES.geolocationSubdivisionCode: {
        const country = getProviderSpecific(ep, AWS_PROPERTIES.geolocationCountryCode);
        if (country !== 'US')
          bad('invalid_geolocation', 'Route53 takes a subdivision only with the country code US');
        else if (!ROUTE53_US_SUBDIVISION_CODES.has(p.value))
          bad(
            'invalid_geolocation',
            'a subdivision is the two-letter code of a US state or possession (CA, NY)',
          );
        break;
      }
      case AWS_PROPERTIES.geoproximityBias: {
        const n = Number(p.value);
        if (!INTEGER.test(p.value.trim()) || n < -99 || n > 99)
          bad('invalid_geoproximity', 'a bias is an integer from -99 to 99');
        break;
      }
      case AWS_PROPERTIES.geoproximityCoordinates: {
        const parts = p.value.split(',').map((s) => s.trim());
        const [lat, long] = parts.map(Number);
        if (
          parts.length !== 2 ||
          !parts.every((s) => DECIMAL.test(s)) ||
          Math.abs(lat as number) > 90 ||
          Math.abs(long as number) > 180
        )
          bad('invalid_geoproximity', 'coordinates are "latitude,longitude", from -90 to 90 and -180 to 180');
        break;
      }
      case AWS_PROPERTIES.evaluateTargetHealth:
        // ExternalDNS turns any other spelling into false; guessing either way writes what was not asked
        if (parseAwsBool(p.value) === undefined)
          bad('invalid_evaluate_target_health', 'evaluate-target-health is "true" or "false", spelt so');
        break;
      case AWS_PROPERTIES.multiValueAnswer:
        // Route53 and ExternalDNS read the property's presence as "on"; "false" would still turn it on
        if (p.value.trim() !== '' && p.value.trim().toLowerCase() !== 'true')
          bad(
            'invalid_multi_value_answer',
            'multi-value-answer is on when the property is present ("" or "true"); remove the property to turn it off',
          );
        break;
      case AWS_PROPERTIES.targetHostedZone:
      case AWS_PROPERTIES.hostedZoneId:
        if (!HOSTED_ZONE_ID.test(hostedZoneIdOf(p.value)))
          bad(
            'invalid_hosted_zone_id',
            'a hosted zone id is letters and digits, at most 32 (e.g. Z2FDTNDATAQYW2 or /hostedzone/Z2FDTNDATAQYW2)',
          );
        break;
      default:
        break;
    }
  });
  const hasContinent = index(AWS_PROPERTIES.geolocationContinentCode) >= 0;
  const countryAt = Math.max(
    index(AWS_PROPERTIES.geolocationCountryCode),
    index(AWS_PROPERTIES.geolocationSubdivisionCode),
  );
  if (hasContinent && countryAt >= 0)
    add(
      ['providerSpecific', countryAt, 'name'],
      'geolocation_conflict',
      'a continent code with a country or subdivision code; Route53 takes one location (InvalidInput)',
    );
  const locations = [
    AWS_PROPERTIES.geoproximityRegion,
    AWS_PROPERTIES.geoproximityLocalZoneGroup,
    AWS_PROPERTIES.geoproximityCoordinates,
  ].filter((n) => index(n) >= 0);
  if (locations.length > 1)
    add(
      ['providerSpecific', index(locations[1] as string), 'name'],
      'geoproximity_conflict',
      `${locations.join(' and ')}: a geoproximity record has one location (a region, a local zone group or coordinates)`,
    );
  const type = ep.recordType.toUpperCase();
  const alias = getProviderSpecific(ep, ALIAS_PROPERTY);
  const isAliasLike =
    alias !== undefined &&
    (((type === 'A' || type === 'AAAA') && (alias === 'true' || alias === type)) ||
      (type === 'CNAME' && alias === 'true'));
  if (isAliasLike)
    ep.targets.forEach((t, k) => {
      if (isIP(t.trim().replace(/^\[|\]$/g, '')))
        add(
          ['targets', k],
          'alias_target',
          `an alias target is a DNS name (a load balancer, a distribution, a record of the zone), not the IP address ${t}`,
        );
    });
}
