import type { Endpoint } from '../endpoint/endpoint.js';
import type { Plan } from '../plan/plan.js';
import { planEntries, shownProperties, type PlanEntry } from './group.js';
import { summarizePlan } from './text.js';
import { appendAll } from '../lists.js';
import { markdownCode, markdownText } from './escape.js';

/** A record's values and the properties it carries, one code span per line of the cell. */
function contents(ep: Endpoint | undefined, withProperties: boolean): string {
  if (!ep) return '';
  const parts = ep.targets.map(markdownCode);
  if (withProperties) for (const p of shownProperties(ep)) parts.push(markdownCode(`${p.name}=${p.value}`));
  return parts.join('<br>');
}

const ttl = (ep: Endpoint | undefined) => (ep?.recordTTL ? String(ep.recordTTL) : '');

/** The TTL cell: the TTL written, or `old → new` when an update changes it. */
function ttlCell(e: PlanEntry): string {
  const next = e.record;
  if (e.action !== 'update' || !e.previous || !next.recordTTL || e.previous.recordTTL === next.recordTTL)
    return ttl(next);
  return `${ttl(e.previous) || 'default'} → ${ttl(next)}`;
}

const named = (ep: Endpoint) =>
  `${markdownCode(ep.dnsName)}${ep.setIdentifier ? ` [${markdownCode(ep.setIdentifier)}]` : ''}`;

/**
 * A plan as a Markdown table, for pull-request comments and change tickets: every record change with
 * its values and provider-specific properties before and after, the ownership TXT changes under it,
 * the desired records not written with their reason codes, and the safety limits `force` overrode.
 * Whatever the records hold, each shows in its own cell: values are code spans no value can close,
 * text is escaped, and control characters are shown as `\xNN` escapes.
 */
export function renderPlanMarkdown(plan: Plan): string {
  const entries = planEntries(plan);
  const out = [
    `### DNS plan for owner ${markdownCode(plan.ownerId)} (policy ${markdownCode(plan.policy)})`,
    '',
  ];
  if (!plan.hasChanges || entries.length === 0) {
    out.push(plan.skipped.length ? 'No changes will be made.' : 'No changes. All records are up to date.');
    appendAll(out, skippedSection(plan));
    return out.join('\n');
  }
  out.push('| | Name | Type | TTL | Before | After |', '|---|---|---|---|---|---|');
  const label = { create: '➕ create', update: '✏️ update', delete: '➖ delete' } as const;
  for (const e of entries) {
    const previous = e.previous ?? e.record;
    // properties are shown on both sides of an update when either side has any
    const props = shownProperties(e.record).length > 0 || shownProperties(previous).length > 0;
    const before = e.action === 'create' ? '' : contents(previous, props);
    const after = e.action === 'delete' ? '' : contents(e.record, props);
    out.push(
      `| ${label[e.action]} | ${named(e.record)} | ${markdownText(e.record.recordType)} | ${ttlCell(e)} | ${before} | ${after} |`,
    );
    for (const t of e.ownership) {
      out.push(
        `| ↳ ${t.action} | ${markdownCode(t.record.dnsName)} | TXT (ownership) | | ${t.action === 'create' ? '' : contents(t.previous ?? t.record, false)} | ${t.action === 'delete' ? '' : contents(t.record, false)} |`,
      );
    }
  }
  appendAll(out, skippedSection(plan));
  if (plan.overriddenSafetyViolations.length) {
    out.push('', `#### Safety limits overridden with force (${plan.overriddenSafetyViolations.length})`, '');
    appendAll(
      out,
      plan.overriddenSafetyViolations.map((v) => `- ${markdownCode(v.rule)}: ${markdownText(v.message)}`),
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
        `| ${named(s.record)} | ${markdownText(s.record.recordType)} | ${markdownCode(s.code)} | ${markdownText(s.reason)} |`,
    ),
  ];
}
