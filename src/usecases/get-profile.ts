// GetProfile: what the online business hall shows on its first page — who the customer is
// (name and address masked, as every answer leaving the internal zone), the contact details, the
// account's terms, the meters in service, and the money: prepaid balance and the total due now
// (energy charges outstanding plus late fees to today, as QueryArrears computes them).

import { businessDate } from '../clock.ts';
import type { CustomerCategory, VoltageLevel } from '../domain/tariffs/tariff.ts';
import { GridbillError } from '../errors.ts';
import { maskAddress, maskName, maskPhone } from '../ops/mask.ts';
import { findCredential } from '../store/customer-access.repository.ts';
import { findAccountByCustomer, findCustomerByNo } from '../store/customer.repository.ts';
import type { PaymentMode } from '../store/customer.table.ts';
import { meterNosInService } from '../store/customer-view.repository.ts';
import type { Store } from '../store/database.ts';
import { openSession } from './customer-session.ts';
import { prepaidBalanceOf } from './pay.ts';
import { receivablesOf } from './receivables.ts';

export interface Profile {
  readonly customerNo: string;
  readonly name: string;
  readonly address: string;
  readonly phone: string | undefined;
  readonly email: string | undefined;
  readonly category: CustomerCategory;
  readonly voltage: VoltageLevel;
  readonly paymentMode: PaymentMode;
  readonly timeOfUse: boolean;
  readonly meterNos: readonly string[];
  readonly prepaidBalanceFen: number;
  readonly totalDueFen: number;
}

/** The contract lists at most this many meters. */
const METERS_LISTED_MAX = 20;

export async function getProfile(store: Store, request: { readonly sessionToken: string; readonly now: string }): Promise<Profile> {
  const session = await openSession(store, request.sessionToken, request.now);
  const customer = await findCustomerByNo(store, session.customerNo);
  if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', session.customerNo);
  const account = await findAccountByCustomer(store, customer.id);
  const credential = await findCredential(store, customer.id);
  const receivables = await receivablesOf(store, customer, businessDate(new Date(request.now)));
  return {
    customerNo: customer.customer_no,
    name: maskName(customer.name),
    address: maskAddress(customer.address),
    phone: customer.phone === null ? undefined : maskPhone(customer.phone),
    email: credential?.email ?? undefined,
    category: customer.category,
    voltage: customer.voltage,
    paymentMode: account?.payment_mode ?? 'postpaid',
    timeOfUse: customer.time_of_use === 1,
    meterNos: (await meterNosInService(store, customer.id)).slice(0, METERS_LISTED_MAX),
    // A prepaid account in debit is owed through its bills, not shown as a negative balance.
    prepaidBalanceFen: Math.max(0, await prepaidBalanceOf(store, customer.id)),
    totalDueFen: receivables.reduce((sum, r) => sum + r.outstandingFen + r.penaltyFen, 0),
  };
}
