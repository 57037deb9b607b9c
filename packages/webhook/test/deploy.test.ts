// deploy/: the plain Kubernetes manifests and the values for the official ExternalDNS chart's webhook
// provider block, validated against the Kubernetes schemas (kubernetes-models) and checked against
// the variables the command reads and docs/webhook.md documents, and against the measured sizing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace, Pod, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { KNOWN_VARIABLES } from '../src/cli/config.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../src/server/webhookServer.js';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../src/server/webhookServer.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const docs = read('docs/webhook.md');
const dockerfile = read('packages/webhook/Dockerfile');

/** Variables read by something other than the command in the container (Node.js itself). */
const RUNTIME_VARIABLES = ['NODE_OPTIONS'];

/** The memory limit and heap size the memory test holds the command to (test/memory.test.ts). */
const MEMORY_LIMIT = '512Mi';
const HEAP = '--max-old-space-size=320 --max-semi-space-size=16';

// the YAML is untyped input: the models check it at run time (`validate`), which is the point
type Untyped = never;
const validators: Record<string, (doc: Untyped) => { validate(): void }> = {
  'v1/Namespace': (d) => new Namespace(d),
  'v1/ServiceAccount': (d) => new ServiceAccount(d),
  'v1/Secret': (d) => new Secret(d),
  'rbac.authorization.k8s.io/v1/ClusterRole': (d) => new ClusterRole(d),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (d) => new ClusterRoleBinding(d),
  'apps/v1/Deployment': (d) => new Deployment(d),
};

/** Walks into parsed YAML; a missing step is `undefined`. */
type Json = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v === null || typeof v !== 'object' ? undefined : (v as Json)[k]), value);

interface EnvVar {
  name: string;
  value?: string;
}
interface Probe {
  httpGet?: { path?: string; port?: string | number };
  timeoutSeconds?: number;
  periodSeconds?: number;
}

/** Kubernetes' defaults for a probe's fields. */
const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10 };

/**
 * Probe times consistent with the sidecar's: a readiness check may take up to its time limit
 * (`DEFAULT_HEALTH_TIMEOUT_MS`, 5 s), so the kubelet must wait longer than that before calling the
 * probe failed, and no longer than the probe's period; liveness answers without I/O but waits for
 * the event loop, which a maximum-size body holds for a moment.
 */
function checkProbeTimes(container: ContainerLike): void {
  const readiness = { ...PROBE_DEFAULTS, ...container.readinessProbe };
  expect(readiness.timeoutSeconds * 1000, 'readinessProbe.timeoutSeconds').toBeGreaterThanOrEqual(
    DEFAULT_HEALTH_TIMEOUT_MS + 1000,
  );
  expect(readiness.timeoutSeconds, 'readinessProbe.timeoutSeconds').toBeLessThanOrEqual(
    readiness.periodSeconds,
  );
  const liveness = { ...PROBE_DEFAULTS, ...container.livenessProbe };
  expect(liveness.timeoutSeconds, 'livenessProbe.timeoutSeconds').toBeGreaterThanOrEqual(5);
  expect(liveness.timeoutSeconds, 'livenessProbe.timeoutSeconds').toBeLessThanOrEqual(liveness.periodSeconds);
}

interface ContainerLike {
  name: string;
  image?: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe | undefined;
  livenessProbe?: Probe | undefined;
  startupProbe?: Probe | undefined;
  resources?: { limits?: Record<string, string> } | undefined;
  securityContext?: Record<string, unknown> | undefined;
}

function checkSidecar(container: ContainerLike, healthPortName: string): void {
  const names = (container.env ?? []).map((e) => e.name);
  for (const name of names) {
    expect(KNOWN_VARIABLES.includes(name) || RUNTIME_VARIABLES.includes(name), name).toBe(true);
    expect(docs, `${name} is documented in docs/webhook.md`).toContain(`\`${name}\``);
  }
  expect(names).toContain('DNS_PROVIDER');
  expect(container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(HEAP);
  expect(container.resources?.limits?.['memory']).toBe(MEMORY_LIMIT);
  expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/healthz', port: healthPortName });
  expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/livez', port: healthPortName });
  checkProbeTimes(container);
  // the image's numeric user; nothing is written to the root filesystem
  const user = /^USER (\d+):(\d+)$/m.exec(dockerfile);
  expect(container.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: Number(user?.[1]),
    runAsGroup: Number(user?.[2]),
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  });
}

function checkExternalDnsArgs(args: readonly string[]): void {
  expect(args).toContain('--txt-wildcard-replacement=any');
  expect(args.find((a) => a.startsWith('--txt-prefix='))).toContain('%{record_type}');
}

describe('deploy/kubernetes/external-dns-pdns.yaml', () => {
  const documents = parseAllDocuments(read('deploy/kubernetes/external-dns-pdns.yaml')).map(
    (d) => d.toJS() as { apiVersion: string; kind: string } & Json,
  );

  it('every object is valid against the Kubernetes schema', () => {
    expect(documents.map((d) => d.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Secret',
      'Deployment',
    ]);
    for (const doc of documents) {
      const make = validators[`${doc.apiVersion}/${doc.kind}`];
      expect(make, `${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => make?.(doc as Untyped).validate(), `${doc.kind}`).not.toThrow();
    }
  });

  it('probe times shorter than a readiness check are caught (Kubernetes waits 1 s by default)', () => {
    const probe = (timeoutSeconds?: number) => ({
      httpGet: { path: '/healthz', port: 'http-health' },
      periodSeconds: 10,
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    });
    const live = { httpGet: { path: '/livez' }, periodSeconds: 20, timeoutSeconds: 5 };
    const container = (readinessProbe: Probe): ContainerLike => ({
      name: 'x',
      readinessProbe,
      livenessProbe: live,
    });
    expect(() => checkProbeTimes(container(probe()))).toThrow(/readinessProbe.timeoutSeconds/);
    expect(() => checkProbeTimes(container(probe(5)))).toThrow(/readinessProbe.timeoutSeconds/);
    expect(() => checkProbeTimes(container(probe(11)))).toThrow(/readinessProbe.timeoutSeconds/);
    expect(() => checkProbeTimes(container(probe(7)))).not.toThrow();
    expect(() =>
      checkProbeTimes({
        name: 'x',
        readinessProbe: probe(7),
        livenessProbe: { httpGet: { path: '/livez' } },
      }),
    ).toThrow(/livenessProbe.timeoutSeconds/);
  });

  it('a schema violation is caught (the validation is real)', () => {
    const deployment = structuredClone(documents.find((d) => d.kind === 'Deployment'));
    const port = at(deployment, 'spec', 'template', 'spec', 'containers', 1, 'ports', 0) as Json;
    port['containerPort'] = 'eighty';
    expect(() => new Deployment(deployment as Untyped).validate()).toThrow();
  });

  it('the sidecar uses documented variables, the measured sizing, a read-only root filesystem and its health port', () => {
    const pod = at(
      documents.find((d) => d.kind === 'Deployment'),
      'spec',
      'template',
      'spec',
    ) as Json;
    expect(pod['enableServiceLinks']).toBe(false);
    expect(pod['securityContext']).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const containers = pod['containers'] as ContainerLike[];
    const sidecar = containers.find((c) => c.name === 'openova-dns-webhook') as ContainerLike;
    expect(sidecar.ports).toEqual([{ name: 'http-health', containerPort: 8080 }]);
    checkSidecar(sidecar, 'http-health');
    // the sidecar's shutdown bound ends before the kubelet's SIGKILL
    const bound = Number(
      (sidecar.env ?? []).find((e) => e.name === 'WEBHOOK_SHUTDOWN_TIMEOUT_MS')?.value ??
        DEFAULT_SHUTDOWN_TIMEOUT_MS,
    );
    expect(bound).toBeLessThan(Number(pod['terminationGracePeriodSeconds'] ?? 30) * 1000);
    const externalDns = containers.find((c) => c.name === 'external-dns') as ContainerLike;
    checkExternalDnsArgs(externalDns.args ?? []);
    // ExternalDNS reaches the webhook API on loopback at the command's default port
    expect(externalDns.args).toContain('--webhook-provider-url=http://localhost:8888');
    expect(externalDns.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
  });
});

describe('deploy/helm/external-dns-values.yaml (the official chart, provider.webhook)', () => {
  const values = parse(read('deploy/helm/external-dns-values.yaml')) as Json;
  const webhook = at(values, 'provider', 'webhook') as Json;
  const image = webhook['image'] as { repository: string; tag: string };
  const service = webhook['service'] as { port: number };
  const env = webhook['env'] as EnvVar[];

  it('sets only keys of the chart’s webhook provider block', () => {
    expect(at(values, 'provider', 'name')).toBe('webhook');
    // the keys of `provider.webhook` in the chart's values.yaml (chart 1.14+)
    const chartKeys = [
      'image',
      'env',
      'args',
      'extraVolumeMounts',
      'resources',
      'securityContext',
      'livenessProbe',
      'readinessProbe',
      'service',
      'serviceMonitor',
    ];
    for (const key of Object.keys(webhook)) expect(chartKeys, key).toContain(key);
    expect(Object.keys(image)).toEqual(['repository', 'tag']);
  });

  it('renders, as the chart does, into a valid pod with the documented variables and the measured sizing', () => {
    // the chart's webhook container: image, env, ports (http-webhook = service.port), probes, resources, securityContext
    const container: ContainerLike = {
      name: 'webhook',
      image: `${image.repository}:${image.tag}`,
      env,
      ports: [{ name: 'http-webhook', containerPort: service.port }],
      livenessProbe: webhook['livenessProbe'] as ContainerLike['livenessProbe'],
      readinessProbe: webhook['readinessProbe'] as ContainerLike['readinessProbe'],
      resources: webhook['resources'] as ContainerLike['resources'],
      securityContext: webhook['securityContext'] as Json,
    };
    const pod = new Pod({
      metadata: { name: 'external-dns' },
      spec: {
        containers: [
          { name: 'external-dns', image: 'registry.k8s.io/external-dns/external-dns:v0.22.0' },
          container as Untyped,
        ],
      },
    });
    expect(() => pod.validate()).not.toThrow();
    checkSidecar(container, 'http-webhook');
    // the health port the command listens on is the one the chart probes
    expect(env.find((e) => e.name === 'HEALTH_PORT')?.value).toBe(String(service.port));
    checkExternalDnsArgs([
      ...(values['extraArgs'] as string[]),
      `--txt-prefix=${String(values['txtPrefix'])}`,
    ]);
    expect(values['policy']).toBe('sync');
  });
});

describe('docs/webhook.md samples', () => {
  it('the Deployment sample sets the templated prefix and --txt-wildcard-replacement; the WebhookProvider sample uses the templated prefix', () => {
    const yamlBlocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const deployment = yamlBlocks.find((b) => b.includes('--provider=webhook')) ?? '';
    checkExternalDnsArgs([...deployment.matchAll(/- (--[\w-]+=\S+)/g)].map((m) => m[1] ?? ''));
    expect(deployment).toContain('--txt-prefix=_externaldns.%{record_type}.');
    const code = [...docs.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').join('\n');
    expect(code).toMatch(/new TxtRegistry\(provider, \{[^}]*prefix: '_externaldns\.%\{record_type\}\.'/);
  });
});

describe('the image (static checks: no container engine runs here)', () => {
  it('Node.js 22 LTS, every stage on one base pinned by digest, numeric non-root user, nothing written at run time', () => {
    const stages = dockerfile.match(/^FROM \S+/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:22-slim@sha256:[0-9a-f]{64}$/);
    expect(new Set(stages).size).toBe(1);
    expect(Number(/^USER (\d+):\d+$/m.exec(dockerfile)?.[1])).toBeGreaterThan(0);
    expect(dockerfile).not.toMatch(/^VOLUME /m);
    // the command writes nothing to disk: logs go to stdout, state lives in memory
    const sources = [
      'cli.ts',
      'logger.ts',
      'server/webhookServer.ts',
      'server/apiHandler.ts',
      'cli/createProvider.ts',
    ].map((f) => read(`packages/webhook/src/${f}`));
    for (const source of sources) expect(source).not.toMatch(/writeFile|appendFile|mkdir|createWriteStream/);
  });
});
