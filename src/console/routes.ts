// Every console route: method, path (after /console), the permission it needs, the handler.

import { auditPage } from './audit-page.ts';
import { billingPage, decideExceptionAction, exceptionsPage, issueAction, runJsonView, runPage, startRunAction } from './billing-page.ts';
import {
  channelsPage, reconciliationDayPage, reconciliationPage, registerChannelAction, rotateChannelAction, toggleChannelAction,
} from './channels-page.ts';
import type { Route } from './console-route.ts';
import { approveCommandAction, controlPage } from './control-page.ts';
import {
  createCustomerAction, customerFilePage, customersPage, directDebitAction, installMeterAction, newCustomerPage, openOnlineBankingAction,
  replaceMeterAction,
} from './customers-page.ts';
import { dashboardPage } from './dashboard-page.ts';
import { readingsPage, uploadReadingsAction } from './readings-page.ts';
import { addStaffAction, staffPage, toggleStaffAction } from './staff-page.ts';
import { importTariffAction, tariffsPage, tariffVersionPage } from './tariffs-page.ts';

const CUSTOMER = '([0-9]{10,13})';
const ID = '([1-9][0-9]{0,14})';
const CHANNEL = '([a-z0-9][a-z0-9-]{1,31})';
const USER = '([a-z][a-z0-9._-]{1,31})';

const path = (pattern: string) => new RegExp(`^${pattern}$`);

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: path('/'), permission: 'dashboard.view', handle: dashboardPage },
  { method: 'GET', path: path('/customers'), permission: 'customers.view', handle: customersPage },
  { method: 'GET', path: path('/customers/new'), permission: 'customers.edit', handle: newCustomerPage },
  { method: 'POST', path: path('/customers'), permission: 'customers.edit', handle: createCustomerAction },
  { method: 'GET', path: path(`/customers/${CUSTOMER}`), permission: 'customers.view', handle: customerFilePage },
  { method: 'POST', path: path(`/customers/${CUSTOMER}/meters`), permission: 'customers.edit', handle: installMeterAction },
  { method: 'POST', path: path(`/customers/${CUSTOMER}/replace-meter`), permission: 'customers.edit', handle: replaceMeterAction },
  { method: 'POST', path: path(`/customers/${CUSTOMER}/online-banking`), permission: 'customers.edit', handle: openOnlineBankingAction },
  { method: 'POST', path: path(`/customers/${CUSTOMER}/direct-debit`), permission: 'customers.edit', handle: directDebitAction },
  { method: 'GET', path: path('/readings'), permission: 'readings.upload', handle: readingsPage },
  { method: 'POST', path: path('/readings'), permission: 'readings.upload', handle: uploadReadingsAction },
  { method: 'GET', path: path('/billing'), permission: 'billing.view', handle: billingPage },
  { method: 'POST', path: path('/billing/run'), permission: 'billing.run', handle: startRunAction },
  { method: 'GET', path: path(`/billing/runs/${ID}`), permission: 'billing.view', handle: runPage },
  { method: 'GET', path: path(`/billing/runs/${ID}\\.json`), permission: 'billing.view', handle: runJsonView },
  { method: 'GET', path: path('/billing/exceptions'), permission: 'billing.view', handle: exceptionsPage },
  { method: 'POST', path: path(`/billing/exceptions/${ID}`), permission: 'billing.review', handle: decideExceptionAction },
  { method: 'POST', path: path('/billing/issue'), permission: 'billing.issue', handle: issueAction },
  { method: 'GET', path: path('/tariffs'), permission: 'tariffs.view', handle: tariffsPage },
  { method: 'GET', path: path(`/tariffs/([a-z0-9][a-z0-9.-]{0,63})/${ID}`), permission: 'tariffs.view', handle: tariffVersionPage },
  { method: 'POST', path: path('/tariffs'), permission: 'tariffs.publish', handle: importTariffAction },
  { method: 'GET', path: path('/channels'), permission: 'channels.view', handle: channelsPage },
  { method: 'POST', path: path('/channels'), permission: 'channels.manage', handle: registerChannelAction },
  { method: 'POST', path: path(`/channels/${CHANNEL}/enable`), permission: 'channels.manage', handle: toggleChannelAction(true) },
  { method: 'POST', path: path(`/channels/${CHANNEL}/disable`), permission: 'channels.manage', handle: toggleChannelAction(false) },
  { method: 'POST', path: path(`/channels/${CHANNEL}/rotate`), permission: 'channels.manage', handle: rotateChannelAction },
  { method: 'GET', path: path('/reconciliation'), permission: 'reconciliation.view', handle: reconciliationPage },
  { method: 'GET', path: path(`/reconciliation/${ID}`), permission: 'reconciliation.view', handle: reconciliationDayPage },
  { method: 'GET', path: path('/control'), permission: 'control.view', handle: controlPage },
  { method: 'POST', path: path(`/control/${ID}/approve`), permission: 'control.approve', handle: approveCommandAction },
  { method: 'GET', path: path('/audit'), permission: 'audit.view', handle: auditPage },
  { method: 'GET', path: path('/staff'), permission: 'staff.manage', handle: staffPage },
  { method: 'POST', path: path('/staff'), permission: 'staff.manage', handle: addStaffAction },
  { method: 'POST', path: path(`/staff/${USER}/disable`), permission: 'staff.manage', handle: toggleStaffAction(false) },
  { method: 'POST', path: path(`/staff/${USER}/enable`), permission: 'staff.manage', handle: toggleStaffAction(true) },
];
