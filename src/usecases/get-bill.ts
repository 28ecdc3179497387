// One bill with every line and the exceptions found on it, by its number.

import { GridbillError } from '../errors.ts';
import { exceptionsOfBill, linesOfBill } from '../store/bill.repository.ts';
import { findBillWithCustomer, type BillWithCustomer } from '../store/bill-review.repository.ts';
import type { BillExceptionRow, BillLineRow } from '../store/bill.table.ts';
import type { Store } from '../store/database.ts';

export interface BillDetail {
  readonly bill: BillWithCustomer;
  readonly lines: readonly BillLineRow[];
  readonly exceptions: readonly BillExceptionRow[];
}

export async function getBill(store: Store, billNo: string): Promise<BillDetail> {
  const bill = await findBillWithCustomer(store, billNo);
  if (bill === undefined) throw new GridbillError('NOT_FOUND', `bill ${billNo}`);
  return { bill, lines: await linesOfBill(store, bill.id), exceptions: await exceptionsOfBill(store, bill.id) };
}
