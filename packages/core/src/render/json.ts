import { planToJSON, type Plan } from '../plan/plan.js';

/** The plan as indented JSON, the same form `planFromJSON` reads back. */
export function renderPlanJSON(plan: Plan): string {
  return `${JSON.stringify(planToJSON(plan), null, 2)}\n`;
}
