// The default credential chain and assume-role, end to end: each source hands out its own keys from a
// loopback stand-in for its AWS endpoint (STS for IRSA and assume-role, the container endpoint for
// EKS Pod Identity and ECS, IMDSv2), and the Route53 fake reports which access key signed each call.
// Nothing here reaches AWS: every endpoint variable points at 127.0.0.1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Route53Provider } from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53 } from '@openova/dns-provider-route53/testing';

const SECRET = 'issued-secret-never-shown';
const VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_ENDPOINT_URL_STS',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_EC2_METADATA_V1_DISABLED',
];
const saved = new Map(VARS.map((v) => [v, process.env[v]]));
const dir = mkdtempSync(join(tmpdir(), 'r53-creds-'));

let fake: FakeRoute53;
let issuer: Server;
let issuerUrl = '';
/** What the stand-in endpoints were asked, e.g. `STS AssumeRoleWithWebIdentity`. */
const issued: { what: string; detail: Record<string, string | undefined> }[] = [];

function expiration(): string {
  return new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
}

beforeAll(async () => {
  fake = await startFakeRoute53({ rateLimit: false });
  fake.addZone({ name: 'creds.test' });
  issuer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = req.url ?? '/';
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'POST' && url === '/') {
        // STS (awsQuery): AssumeRole and AssumeRoleWithWebIdentity
        const q = new URLSearchParams(body);
        const action = q.get('Action') ?? '';
        issued.push({
          what: `STS ${action}`,
          detail: {
            roleArn: q.get('RoleArn') ?? undefined,
            externalId: q.get('ExternalId') ?? undefined,
            webIdentityToken: q.get('WebIdentityToken') ?? undefined,
            signedBy: /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1],
          },
        });
        const key = action === 'AssumeRole' ? 'ASIAASSUMEDROLE' : 'ASIAWEBIDENTITY';
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result><Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>${SECRET}</SecretAccessKey><SessionToken>session-${key}</SessionToken><Expiration>${expiration()}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/dns/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></${action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`,
        );
        return;
      }
      if (url === '/container-credentials') {
        // EKS Pod Identity / ECS container endpoint
        issued.push({ what: 'container', detail: { authorization: req.headers.authorization } });
        return json(200, {
          AccessKeyId: 'ASIACONTAINER',
          SecretAccessKey: SECRET,
          Token: 'session-container',
          Expiration: expiration(),
        });
      }
      // IMDSv2: a session token first, then every metadata read carries it
      if (req.method === 'PUT' && url === '/latest/api/token') {
        issued.push({ what: 'IMDS token', detail: {} });
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('imds-session-token');
      }
      const m = /^\/latest\/meta-data\/iam\/security-credentials(?:-extended)?\/(.*)$/.exec(url);
      if (m) {
        if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-session-token') return json(401, {});
        issued.push({ what: 'IMDS credentials', detail: { path: url } });
        if (m[1] === '') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          return res.end('node-role');
        }
        return json(200, {
          Code: 'Success',
          Type: 'AWS-HMAC',
          AccessKeyId: 'ASIAINSTANCE',
          SecretAccessKey: SECRET,
          Token: 'session-instance',
          Expiration: expiration(),
          LastUpdated: new Date().toISOString(),
        });
      }
      json(404, {});
    });
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', () => resolve()));
  const address = issuer.address();
  issuerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await fake?.close();
  await new Promise<void>((resolve) => issuer.close(() => resolve()));
});

beforeEach(() => {
  // a clean environment: no keys, no profile files of this machine, no instance metadata
  for (const v of VARS) delete process.env[v];
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'none-credentials');
  process.env['AWS_CONFIG_FILE'] = join(dir, 'none-config');
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  process.env['AWS_REGION'] = 'us-east-1';
  issued.length = 0;
});

afterEach(() => {
  for (const [v, value] of saved)
    if (value === undefined) delete process.env[v];
    else process.env[v] = value;
});

/** Lists zones with a provider built from `options` alone; returns who signed the calls. */
async function signerOf(options: ConstructorParameters<typeof Route53Provider>[0] = {}): Promise<string> {
  const p = new Route53Provider({ endpoint: fake.url, rateLimiter: false, maxAttempts: 1, ...options });
  const before = fake.signers.length;
  expect(await p.zones()).toContain('creds.test');
  for (const text of [inspect(p, { depth: 8 }), JSON.stringify(p.api.stats)])
    expect(text).not.toContain(SECRET);
  const signers = new Set(fake.signers.slice(before));
  expect(signers.size).toBe(1);
  return [...signers][0] as string;
}

describe('the default credential chain', () => {
  it('environment variables', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAENVIRONMENT';
    process.env['AWS_SECRET_ACCESS_KEY'] = SECRET;
    expect(await signerOf()).toBe('AKIAENVIRONMENT');
  });

  it('a named profile of the shared credentials file (profile option, ExternalDNS --aws-profile)', async () => {
    const file = join(dir, 'credentials');
    writeFileSync(
      file,
      `[default]\naws_access_key_id = AKIADEFAULTPROFILE\naws_secret_access_key = ${SECRET}\n\n[dns]\naws_access_key_id = AKIADNSPROFILE\naws_secret_access_key = ${SECRET}\n`,
    );
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = file;
    expect(await signerOf({ profile: 'dns' })).toBe('AKIADNSPROFILE');
    expect(await signerOf()).toBe('AKIADEFAULTPROFILE');
  });

  it('IRSA: a web identity token file and a role, exchanged with STS', async () => {
    const token = join(dir, 'web-identity-token');
    writeFileSync(token, 'eyJhbGciOiJSUzI1NiJ9.service-account-token');
    process.env['AWS_WEB_IDENTITY_TOKEN_FILE'] = token;
    process.env['AWS_ROLE_ARN'] = 'arn:aws:iam::123456789012:role/external-dns';
    process.env['AWS_ENDPOINT_URL_STS'] = issuerUrl;
    expect(await signerOf()).toBe('ASIAWEBIDENTITY+token');
    expect(issued.map((i) => i.what)).toEqual(['STS AssumeRoleWithWebIdentity']);
    expect(issued[0]?.detail).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/external-dns',
      webIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.service-account-token',
    });
  });

  it('EKS Pod Identity (and ECS): the container credentials endpoint with its authorization token file', async () => {
    const token = join(dir, 'eks-pod-identity-token');
    writeFileSync(token, 'pod-identity-token');
    process.env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] = `${issuerUrl}/container-credentials`;
    process.env['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'] = token;
    expect(await signerOf()).toBe('ASIACONTAINER+token');
    expect(issued).toEqual([{ what: 'container', detail: { authorization: 'pod-identity-token' } }]);
  });

  it('IMDSv2: a session token first, then the instance role', async () => {
    delete process.env['AWS_EC2_METADATA_DISABLED'];
    process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = issuerUrl;
    process.env['AWS_EC2_METADATA_V1_DISABLED'] = 'true';
    expect(await signerOf()).toBe('ASIAINSTANCE+token');
    expect(issued[0]?.what).toBe('IMDS token');
    expect(issued.some((i) => i.what === 'IMDS credentials')).toBe(true);
  });
});

describe('assume role (ExternalDNS --aws-assume-role, --aws-assume-role-external-id)', () => {
  it('assumes the role with the base credentials and signs Route53 calls with the role session', async () => {
    process.env['AWS_ENDPOINT_URL_STS'] = issuerUrl;
    const signer = await signerOf({
      credentials: { accessKeyId: 'AKIABASE', secretAccessKey: SECRET },
      assumeRole: { roleArn: 'arn:aws:iam::210987654321:role/dns', externalId: 'ext-42' },
    });
    expect(signer).toBe('ASIAASSUMEDROLE+token');
    expect(issued).toEqual([
      {
        what: 'STS AssumeRole',
        detail: {
          roleArn: 'arn:aws:iam::210987654321:role/dns',
          externalId: 'ext-42',
          webIdentityToken: undefined,
          signedBy: 'AKIABASE',
        },
      },
    ]);
  });
});
