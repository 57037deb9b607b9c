// Drives the loopback fake with the official @google-cloud/dns client (run as a child process
// started with NODE_EXTRA_CA_CERTS pointing at the fake's certificate). Prints one JSON object with
// what each call returned or failed with. Env: FAKE_HOST, FAKE_PROJECT, FAKE_TOKEN, FAKE_ZONE.
import { DNS } from '@google-cloud/dns';
import { OAuth2Client } from 'google-auth-library';

const { FAKE_HOST, FAKE_PROJECT, FAKE_TOKEN, FAKE_ZONE } = process.env;

function dnsWith(token) {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return new DNS({ projectId: FAKE_PROJECT, apiEndpoint: FAKE_HOST, authClient });
}

const failure = (err) => ({ code: err.code, reason: err.errors?.[0]?.reason, message: err.message });
const out = {};
const dns = dnsWith(FAKE_TOKEN);
const zone = dns.zone(FAKE_ZONE);

const [zones] = await dns.getZones();
out.zones = zones.map((z) => ({
  name: z.name,
  dnsName: z.metadata.dnsName,
  visibility: z.metadata.visibility,
  peering: Boolean(z.metadata.peeringConfig),
}));
const [meta] = await zone.getMetadata();
out.zone = { name: meta.name, dnsName: meta.dnsName, id: meta.id };

const [change] = await zone.createChange({
  add: [
    zone.record('a', { name: `www.${meta.dnsName}`, ttl: 300, data: '192.0.2.1' }),
    zone.record('a', { name: `www.${meta.dnsName}`, ttl: 300, data: '192.0.2.2' }),
    zone.record('txt', { name: `t.${meta.dnsName}`, ttl: 300, data: 'hello world' }),
  ],
});
out.created = { id: change.id, status: change.metadata.status, additions: change.metadata.additions };
out.polls = [];
for (let i = 0; i < 2; i++) out.polls.push((await change.getMetadata())[0].status);

const [geo] = await zone.createChange({
  delete: [],
  additions: [
    {
      name: `geo.${meta.dnsName}`,
      type: 'A',
      ttl: 60,
      routingPolicy: {
        geo: {
          items: [
            { location: 'us-east1', rrdatas: ['192.0.2.10'] },
            { location: 'europe-west1', rrdatas: ['192.0.2.20'] },
          ],
        },
      },
    },
  ],
});
out.geo = geo.metadata.additions;

const [records] = await zone.getRecords();
out.records = records.map((r) => ({
  name: r.metadata.name,
  type: r.metadata.type,
  ttl: r.metadata.ttl,
  rrdatas: r.metadata.rrdatas,
  routingPolicy: r.metadata.routingPolicy,
}));

const [filtered] = await zone.getRecords({ name: `geo.${meta.dnsName}`, type: 'A' });
out.filtered = filtered.map((r) => `${r.metadata.name} ${r.metadata.type}`);
try {
  await zone.getRecords({ type: 'A' });
  out.typeWithoutName = 'accepted';
} catch (err) {
  out.typeWithoutName = failure(err);
}

const attempt = async (key, config) => {
  try {
    await zone.createChange(config);
    out[key] = 'applied';
  } catch (err) {
    out[key] = failure(err);
  }
};
await attempt('duplicateAddition', {
  add: zone.record('a', { name: `www.${meta.dnsName}`, ttl: 300, data: '192.0.2.9' }),
});
await attempt('staleDeletion', {
  delete: zone.record('a', { name: `www.${meta.dnsName}`, ttl: 60, data: ['192.0.2.1', '192.0.2.2'] }),
  add: zone.record('a', { name: `www.${meta.dnsName}`, ttl: 60, data: '192.0.2.3' }),
});
await attempt('cnameConflict', {
  add: zone.record('cname', { name: `www.${meta.dnsName}`, ttl: 300, data: 'elsewhere.example.net.' }),
});
await attempt('tooManyAdditions', {
  add: Array.from({ length: 1001 }, (_, i) =>
    zone.record('a', { name: `bulk${i}.${meta.dnsName}`, ttl: 300, data: '192.0.2.1' }),
  ),
});
out.afterFailures = (await zone.getRecords())[0].length;

try {
  await dnsWith('wrong-token').zone(FAKE_ZONE).getRecords();
  out.badToken = 'accepted';
} catch (err) {
  out.badToken = failure(err);
}
process.stdout.write(JSON.stringify(out));
