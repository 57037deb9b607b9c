import type { Endpoint } from '../endpoint/endpoint.js';
import type { Plan } from '../plan/plan.js';
import { planEntries } from './group.js';
import { summarizePlan } from './text.js';
import { appendAll } from '../lists.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const targets = (ep: Endpoint | undefined) =>
  ep ? ep.targets.map((t) => `\`${cell(t)}\``).join('<br>') : '';
const ttl = (ep: Endpoint | undefined) => (ep?.recordTTL ? String(ep.recordTTL) : '');

/** A plan as a Markdown table, for pull-request comments and change tickets. */
export function renderPlanMarkdown(plan: Plan): string {
  const entries = planEntries(plan);
  const out = [`### DNS plan for owner \`${plan.ownerId}\` (policy \`${plan.policy}\`)`, ''];
  if (!plan.hasChanges || entries.length === 0) {
    out.push(plan.skipped.length ? 'No changes will be made.' : 'No changes. All records are up to date.');
    appendAll(out, skippedSection(plan));
    return out.join('\n');
  }
  out.push('| | Name | Type | TTL | Before | After |', '|---|---|---|---|---|---|');
  const label = { create: '➕ create', update: '✏️ update', delete: '➖ delete' } as const;
  for (const e of entries) {
    const name = `\`${cell(e.record.dnsName)}\`${e.record.setIdentifier ? ` [${cell(e.record.setIdentifier)}]` : ''}`;
    const before = e.action === 'create' ? '' : targets(e.previous ?? e.record);
    const after = e.action === 'delete' ? '' : targets(e.record);
    out.push(
      `| ${label[e.action]} | ${name} | ${e.record.recordType} | ${ttl(e.record)} | ${before} | ${after} |`,
    );
    for (const t of e.ownership) {
      out.push(
        `| ↳ ${t.action} | \`${cell(t.record.dnsName)}\` | TXT (ownership) | | ${t.action === 'create' ? '' : targets(t.previous ?? t.record)} | ${t.action === 'delete' ? '' : targets(t.record)} |`,
      );
    }
  }
  appendAll(out, skippedSection(plan));
  if (plan.overriddenSafetyViolations.length) {
    out.push('', `#### Safety limits overridden with force (${plan.overriddenSafetyViolations.length})`, '');
    appendAll(
      out,
      plan.overriddenSafetyViolations.map((v) => `- \`${v.rule}\`: ${cell(v.message)}`),
    );
  }
  out.push('', `**Summary:** ${summarizePlan(plan)} Checksum \`${plan.checksum.slice(0, 12)}\`.`);
  return out.join('\n');
}

function skippedSection(plan: Plan): string[] {
  if (plan.skipped.length === 0) return [];
  return [
    '',
    `#### Not written (${plan.skipped.length})`,
    '',
    '| Name | Type | Reason code | Reason |',
    '|---|---|---|---|',
    ...plan.skipped.map(
      (s) =>
        `| \`${cell(s.record.dnsName)}\`${s.record.setIdentifier ? ` [${cell(s.record.setIdentifier)}]` : ''} | ${s.record.recordType} | \`${s.code}\` | ${cell(s.reason)} |`,
    ),
  ];
}
