import type { Endpoint } from '../endpoint/endpoint.js';
import { countPlan, type Plan } from '../plan/plan.js';
import { parseTxtStrings, quoteTxtString } from '../endpoint/rdata.js';
import { planEntries, shownProperties } from './group.js';
import { appendAll } from '../lists.js';
import { printable } from './escape.js';

/** Options of `renderPlanText`. */
export interface RenderTextOptions {
  /** Show ownership TXT changes under their records (default true). */
  ownership?: boolean;
}

const symbol = { create: '+', update: '~', delete: '-' } as const;

/** A TXT value shown one way whether it is stored quoted (`"a" "b"`) or given bare (`ab`). */
function txtText(value: string): string {
  const strings = value.startsWith('"') ? parseTxtStrings(value) : undefined;
  return quoteTxtString(strings ? strings.join('') : value);
}

function values(ep: Endpoint): string {
  return ep.recordType === 'TXT' ? ep.targets.map(txtText).join(', ') : ep.targets.join(', ');
}

function ttl(ep: Endpoint): string {
  return ep.recordTTL ? `ttl ${ep.recordTTL}` : 'ttl default';
}

const shown = shownProperties;

function properties(ep: Endpoint): string {
  return shown(ep)
    .map((p) => `${p.name}=${p.value}`)
    .join(', ');
}

/** What changed between two versions of a record, as `field old → new` parts. */
function updateDetails(previous: Endpoint, next: Endpoint): string {
  const parts: string[] = [];
  if (values(previous) !== values(next)) parts.push(`${values(previous)} → ${values(next)}`);
  if (next.recordTTL && previous.recordTTL !== next.recordTTL) parts.push(`${ttl(previous)} → ${ttl(next)}`);
  if (properties(previous) !== properties(next))
    parts.push(`{${properties(previous)}} → {${properties(next)}}`);
  const oldOwner = previous.labels['owner'] ?? '';
  const newOwner = next.labels['owner'] ?? '';
  if (oldOwner !== newOwner) parts.push(`owner ${oldOwner || '(none)'} → ${newOwner || '(none)'}`);
  return parts.length ? parts.join('; ') : 'ownership marker rewritten';
}

function head(ep: Endpoint): string {
  return `${ep.dnsName} ${ep.recordType}${ep.setIdentifier ? ` [${ep.setIdentifier}]` : ''}`;
}

/** One-line totals: `2 to create, 1 to update, 0 to delete.`, plus `, 1 not written` when records are skipped. */
export function summarizePlan(plan: Pick<Plan, 'changes'> & Partial<Pick<Plan, 'skipped'>>): string {
  const c = countPlan(plan);
  const skipped = plan.skipped?.length ? `, ${plan.skipped.length} not written` : '';
  return `${c.create} to create, ${c.update} to update, ${c.delete} to delete${skipped}.`;
}

/**
 * A plan for humans, terraform-style: `+` create, `~` update with old → new, `-` delete, ownership TXT
 * changes indented under their record, and a summary line. One line per item whatever the records
 * hold: control characters (newlines, carriage returns, ANSI escapes) and bidirectional overrides in
 * names, values, properties and reasons are shown as `\xNN` / `\uNNNN` escapes.
 */
export function renderPlanText(plan: Plan, options: RenderTextOptions = {}): string {
  return planLines(plan, options).map(printable).join('\n');
}

function planLines(plan: Plan, options: RenderTextOptions): string[] {
  const lines: string[] = [`Plan for owner ${JSON.stringify(plan.ownerId)} (policy ${plan.policy}):`];
  const entries = planEntries(plan);
  if (!plan.hasChanges || entries.length === 0) {
    if (plan.skipped.length === 0) {
      lines.push('  No changes. All records are up to date.');
      return lines;
    }
    lines.push('  No changes will be made.');
    appendAll(lines, skippedLines(plan));
    return lines;
  }
  for (const entry of entries) {
    const r = entry.record;
    if (entry.action === 'update' && entry.previous)
      lines.push(`~ ${head(r)}: ${updateDetails(entry.previous, r)}`);
    else
      lines.push(
        `${symbol[entry.action]} ${head(r)} ${ttl(r)}: ${values(r)}${shown(r).length ? ` {${properties(r)}}` : ''}`,
      );
    if (options.ownership === false) continue;
    for (const t of entry.ownership) {
      const detail =
        t.action === 'update' && t.previous && values(t.previous) !== values(t.record)
          ? `${values(t.previous)} → ${values(t.record)}`
          : values(t.record);
      lines.push(`    ${symbol[t.action]} ${t.record.recordType} ${t.record.dnsName}: ${detail}`);
    }
  }
  appendAll(lines, skippedLines(plan));
  appendAll(lines, overriddenLines(plan));
  lines.push(`Summary: ${summarizePlan(plan)}`);
  return lines;
}

function overriddenLines(plan: Pick<Plan, 'overriddenSafetyViolations'>): string[] {
  if (plan.overriddenSafetyViolations.length === 0) return [];
  return [
    `Safety limits overridden with force (${plan.overriddenSafetyViolations.length}):`,
    ...plan.overriddenSafetyViolations.map((v) => `! [${v.rule}] ${v.message}`),
  ];
}

function skippedLines(plan: Pick<Plan, 'skipped'>): string[] {
  if (plan.skipped.length === 0) return [];
  return [
    `Not written (${plan.skipped.length}):`,
    ...plan.skipped.map((s) => `! ${head(s.record)} [${s.code}]: ${s.reason}`),
  ];
}
