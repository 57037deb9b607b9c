/**
 * Canonical hosted zone IDs of AWS alias targets: an alias's `HostedZoneId` must be the zone of
 * the target (CloudFront, an ELB in its region, …), not the zone the record lives in. Values from
 * AWS's "Service endpoints" tables. Pass `canonicalZones` to the provider to add or override.
 */

/** CloudFront distributions and edge-optimised API Gateway endpoints. */
export const CLOUDFRONT_ZONE_ID = 'Z2FDTNDATAQYW2';
/** Global Accelerator. */
export const GLOBAL_ACCELERATOR_ZONE_ID = 'Z2BJ6XQ5FK7U4H';

/** Application and Classic Load Balancers (`*.<region>.elb.amazonaws.com`), by region. */
export const ALB_ZONE_IDS: Readonly<Record<string, string>> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
};

/** Network Load Balancers (`*.elb.<region>.amazonaws.com`), by region. */
export const NLB_ZONE_IDS: Readonly<Record<string, string>> = {
  'us-east-1': 'Z26RNL4JYFTOTI',
  'us-east-2': 'ZLMOA37VPKANP',
  'us-west-1': 'Z24FKFUX50B4VW',
  'us-west-2': 'Z18D5FSROUN65G',
  'eu-west-1': 'Z2IFOLAFXWLO4F',
  'eu-central-1': 'Z3F0SRJ5LGBH90',
  'ap-southeast-1': 'ZKVM4W9LS7TM',
  'ap-northeast-1': 'Z31USIVHYNEOWT',
};

/** Regional API Gateway endpoints (`*.execute-api.<region>.amazonaws.com`), by region. */
export const API_GATEWAY_ZONE_IDS: Readonly<Record<string, string>> = {
  'us-east-1': 'Z1UJRXOUMOOFQ8',
  'eu-west-1': 'ZLY8HYME6SFDD',
};

/** A name suffix and the canonical zone of every target ending in it. */
export type CanonicalZones = Readonly<Record<string, string>>;

/** The built-in table as suffix → zone id (without leading dots). */
export function defaultCanonicalZones(): Record<string, string> {
  const out: Record<string, string> = {
    'cloudfront.net': CLOUDFRONT_ZONE_ID,
    'awsglobalaccelerator.com': GLOBAL_ACCELERATOR_ZONE_ID,
  };
  for (const [region, id] of Object.entries(ALB_ZONE_IDS)) out[`${region}.elb.amazonaws.com`] = id;
  for (const [region, id] of Object.entries(NLB_ZONE_IDS)) out[`elb.${region}.amazonaws.com`] = id;
  for (const [region, id] of Object.entries(API_GATEWAY_ZONE_IDS))
    out[`execute-api.${region}.amazonaws.com`] = id;
  return out;
}

/**
 * The canonical hosted zone of an alias target, or `undefined` when its suffix is not in `table`
 * (the longest matching suffix wins; the name may end with a dot and be in any case).
 */
export function canonicalZoneOf(
  target: string,
  table: CanonicalZones = defaultCanonicalZones(),
): string | undefined {
  let name = target.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  let best: string | undefined;
  let bestLength = -1;
  for (const [suffix, id] of Object.entries(table)) {
    const s = suffix.toLowerCase().replace(/^\.+|\.+$/g, '');
    if ((name === s || name.endsWith(`.${s}`)) && s.length > bestLength) {
      best = id;
      bestLength = s.length;
    }
  }
  return best;
}

/** True when the name ends in an AWS suffix the table knows (ExternalDNS: `isAWSAlias` candidates). */
export function isKnownAwsTarget(target: string, table?: CanonicalZones): boolean {
  return canonicalZoneOf(target, table) !== undefined;
}
