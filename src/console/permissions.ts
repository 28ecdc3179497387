// The role matrix of the admin console: the one place that says which role may do what. Every
// route names one permission; the router refuses (403 page, STAFF_FORBIDDEN) a user whose role is
// not listed for it, and the navigation shows only what the role may open.
//
// The split follows the duties a supply company keeps apart: billing clerks keep customers and
// run the monthly cycle; operators watch channels and terminals and approve remote switching;
// auditors read everything (the audit log included) and change nothing; administrators manage
// staff, channels and tariffs, and may stand in for any role.

import type { StaffRole } from '../usecases/staff-accounts.ts';

export type Permission =
  | 'dashboard.view'
  | 'customers.view' | 'customers.edit'
  | 'readings.upload'
  | 'billing.view' | 'billing.run' | 'billing.review' | 'billing.issue'
  | 'tariffs.view' | 'tariffs.publish'
  | 'channels.view' | 'channels.manage' | 'reconciliation.view'
  | 'control.view' | 'control.approve'
  | 'audit.view'
  | 'staff.manage';

const CLERK: StaffRole = 'billing-clerk';
const AUDITOR: StaffRole = 'auditor';
const OPERATOR: StaffRole = 'operator';
const ADMIN: StaffRole = 'administrator';
const EVERYONE: readonly StaffRole[] = [CLERK, AUDITOR, OPERATOR, ADMIN];

export const ROLE_MATRIX: Readonly<Record<Permission, readonly StaffRole[]>> = {
  'dashboard.view': EVERYONE,
  'customers.view': [CLERK, AUDITOR, ADMIN],
  'customers.edit': [CLERK, ADMIN],
  'readings.upload': [CLERK, ADMIN],
  'billing.view': [CLERK, AUDITOR, ADMIN],
  'billing.run': [CLERK, ADMIN],
  'billing.review': [CLERK, ADMIN],
  'billing.issue': [CLERK, ADMIN],
  'tariffs.view': EVERYONE,
  'tariffs.publish': [ADMIN],
  'channels.view': [OPERATOR, AUDITOR, ADMIN],
  'channels.manage': [ADMIN],
  'reconciliation.view': [CLERK, AUDITOR, ADMIN],
  'control.view': [OPERATOR, AUDITOR, ADMIN],
  'control.approve': [OPERATOR, ADMIN],
  'audit.view': [AUDITOR, ADMIN],
  'staff.manage': [ADMIN],
};

export function may(role: StaffRole, permission: Permission): boolean {
  return ROLE_MATRIX[permission].includes(role);
}
