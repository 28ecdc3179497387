// SQL Server cannot run on this machine, so every statement gridbill sends it is compiled here
// with Kysely's MSSQL dialect against a recording driver, and checked for the constructs T-SQL
// does not have. A live suite against a real server runs when GRIDBILL_TEST_MSSQL is set.

import { expect } from 'chai';
import {
  Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler,
  type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult,
} from 'kysely';
import type { Database, Store } from '../../src/store/database.ts';
import * as migration0001 from '../../src/store/migrations/0001-initial.ts';
import * as migration0002 from '../../src/store/migrations/0002-payments.ts';
import * as migration0003 from '../../src/store/migrations/0003-withholding.ts';
import * as customers from '../../src/store/customer.repository.ts';
import * as meters from '../../src/store/meter.repository.ts';
import * as tariffs from '../../src/store/tariff.repository.ts';
import * as channels from '../../src/store/channel.repository.ts';
import * as ledger from '../../src/store/ledger.repository.ts';
import * as audit from '../../src/store/audit.repository.ts';
import * as payments from '../../src/store/payment.repository.ts';
import * as withholding from '../../src/store/withholding.repository.ts';
import * as billRuns from '../../src/store/bill-run.repository.ts';
import * as billReview from '../../src/store/bill-review.repository.ts';
import * as channelActivity from '../../src/store/channel-activity.repository.ts';
import * as customerAdmin from '../../src/store/customer-admin.repository.ts';
import * as meterExchange from '../../src/store/meter-exchange.repository.ts';
import * as migration0007 from '../../src/store/migrations/0007-billing-admin.ts';
import * as reconciliation from '../../src/store/reconciliation.repository.ts';
import * as migration0004 from '../../src/store/migrations/0004-reconciliation.ts';
import * as onlinePayments from '../../src/store/online-payment.repository.ts';
import * as migration0006 from '../../src/store/migrations/0006-online-payments.ts';
import * as customerAccess from '../../src/store/customer-access.repository.ts';
import * as customerView from '../../src/store/customer-view.repository.ts';
import * as smsOutbox from '../../src/store/sms-outbox.repository.ts';
import * as estimation from '../../src/store/estimation.repository.ts';
import * as control from '../../src/store/control.repository.ts';
import * as migration0008 from '../../src/store/migrations/0008-smart-payment.ts';
import * as migration0005 from '../../src/store/migrations/0005-customer-access.ts';
import * as staff from '../../src/store/staff.repository.ts';
import * as consoleView from '../../src/store/console-view.repository.ts';
import * as migration0009 from '../../src/store/migrations/0009-staff-console.ts';
import * as migration0010 from '../../src/store/migrations/0010-estimation-speed.ts';
import * as schedulerLeases from '../../src/store/scheduler-lease.repository.ts';
import * as directDebits from '../../src/store/direct-debit.repository.ts';
import * as migration0011 from '../../src/store/migrations/0011-smart-payment-integrations.ts';
import * as migration0012 from '../../src/store/migrations/0012-operations.ts';
import * as channelAssessment from '../../src/store/channel-assessment.repository.ts';
import * as terminals from '../../src/store/terminal-status.repository.ts';
import * as alerts from '../../src/store/alert.repository.ts';
import { openStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

class RecordingDriver implements Driver {
  readonly statements: string[] = [];
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const statements = this.statements;
    return {
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        statements.push(query.sql);
        // One plausible row for every query, so code that reads a result keeps going.
        return { rows: [{ id: 1, n: 0, total: null, v: null, hash: '0'.repeat(64) } as R] };
      },
      // eslint-disable-next-line require-yield
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        throw new Error('not used');
      },
    };
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

function recordingStore(): { store: Store; driver: RecordingDriver } {
  const driver = new RecordingDriver();
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new MssqlIntrospector(k),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
  });
  return { store: { db, dialect: 'mssql' }, driver };
}

const NOT_TSQL = [/\blimit\b/i, /\breturning\b/i, /\bautoincrement\b/i, /\bgenerated always\b/i, /\btext\b(?!\w)/i, /\$\d/];

function expectTsql(statements: readonly string[]): void {
  expect(statements.length).to.be.greaterThan(0);
  for (const statement of statements) {
    for (const bad of NOT_TSQL) expect(statement, statement).to.not.match(bad);
  }
}

const posting = { kind: 'k', refKind: null, refId: null, accountingDate: '2026-11-01', createdAt: 'now', legs: [
  { accountCode: 'a', customerId: null, amountFen: 1 }, { accountCode: 'b', customerId: null, amountFen: -1 }] };

/** One call per exported repository function; the test below checks none is missing. */
const CALLS: Record<string, (s: Store) => Promise<unknown>> = {
  'customers.insertCustomer': (s) => customers.insertCustomer(s, { customer_no: '1', name: 'n', category: 'residential', voltage: 'below-1kv', address: 'a', phone: null, id_number: null, credit_code: null, households: 1, tariff_code: 't', time_of_use: 0, capacity_kva: null, contract_demand_kw: null, basic_basis: null, pf_standard: null, status: 'active', created_at: 'now' }),
  'customers.insertAccount': (s) => customers.insertAccount(s, { customer_id: 1, payment_mode: 'postpaid', ladder_year_start_month: 1, status: 'open', opened_at: 'now' }),
  'customers.findCustomerByNo': (s) => customers.findCustomerByNo(s, '1'),
  'customers.findPayerByNo': (s) => customers.findPayerByNo(s, '1'),
  'customers.findAccountByCustomer': (s) => customers.findAccountByCustomer(s, 1),
  'customers.countCustomers': (s) => customers.countCustomers(s),
  'meters.insertMeter': (s) => meters.insertMeter(s, { meter_no: 'm', customer_id: 1, ct_ratio: 1, pt_ratio: 1, installed_on: 'd', removed_on: null, status: 'installed' }),
  'meters.insertRegisters': (s) => meters.insertRegisters(s, [{ meter_id: 1, kind: 'total', digits: 6, rollover_allowed: 1 }]),
  'meters.insertReadings': (s) => meters.insertReadings(s, [{ register_id: 1, read_on: 'd', value_hundredths: 1, source: 'actual', recorded_at: 'now' }]),
  'meters.metersOfCustomer': (s) => meters.metersOfCustomer(s, 1),
  'meters.registersOfMeter': (s) => meters.registersOfMeter(s, 1),
  'meters.readingsBetween': (s) => meters.readingsBetween(s, 1, 'a', 'b'),
  'meters.findMetersWithRegisters': (s) => meters.findMetersWithRegisters(s, ['m1', 'm2']),
  'meters.readingsOfRegisters': (s) => meters.readingsOfRegisters(s, [1, 2], 'a', 'b'),
  'tariffs.insertTariffVersion': (s) => tariffs.insertTariffVersion(s, { code: 'c', version: 1, kind: 'k', name: 'n', effective_from: 'd', effective_to: null, document: '{}', source: 's', published_at: 'now' }),
  'tariffs.findTariffInForce': (s) => tariffs.findTariffInForce(s, 'c', 'd'),
  'tariffs.listTariffVersions': (s) => tariffs.listTariffVersions(s, 'c'),
  'tariffs.latestTariffVersion': (s) => tariffs.latestTariffVersion(s, 'c'),
  'tariffs.listAllTariffVersions': (s) => tariffs.listAllTariffVersions(s),
  'tariffs.countTariffVersions': (s) => tariffs.countTariffVersions(s),
  'channels.insertChannel': (s) => channels.insertChannel(s, { code: 'c', name: 'n', kind: 'bank', secret_enc: 'x', operations: '[]', enabled: 1, created_at: 'now', updated_at: 'now' }),
  'channels.findChannelByCode': (s) => channels.findChannelByCode(s, 'c'),
  'channels.listChannels': (s) => channels.listChannels(s),
  'ledger.postLedgerTransaction': (s) => ledger.postLedgerTransaction(s, posting),
  'ledger.accountBalance': (s) => ledger.accountBalance(s, 'a', 1),
  'ledger.ledgerTotal': (s) => ledger.ledgerTotal(s),
  'audit.appendAudit': (s) => audit.appendAudit(s, { at: 'now', actor: 'a', action: 'b', subject: 'c', detail: {} }),
  'audit.verifyAuditChain': (s) => audit.verifyAuditChain(s),
  'payments.lockCustomerForPayment': (s) => payments.lockCustomerForPayment(s, 1),
  'payments.issuedBillsWithPaid': (s) => payments.issuedBillsWithPaid(s, 1),
  'payments.tariffRowsById': (s) => payments.tariffRowsById(s, [1, 2]),
  'payments.updateBillPenaltyState': (s) => payments.updateBillPenaltyState(s, 1, { penaltyThrough: '2026-10-01', penaltyAccruedFen: 1, penaltyCarriedFen: 0 }),
  'payments.findPaymentByTxn': (s) => payments.findPaymentByTxn(s, 1, 't'),
  'payments.findTxnIdUses': (s) => payments.findTxnIdUses(s, 1, 't'),
  'payments.findPaymentByReversalTxn': (s) => payments.findPaymentByReversalTxn(s, 1, 't'),
  'payments.insertPayment': (s) => payments.insertPayment(s, { channel_id: 1, channel_txn_id: 't', customer_id: 1, amount_fen: 1, accounting_date: 'd', status: 'posted', request_hash: 'h', response: '', created_at: 'now' }),
  'payments.setPaymentResponse': (s) => payments.setPaymentResponse(s, 1, '{}'),
  'payments.insertAllocations': (s) => payments.insertAllocations(s, [{ payment_id: 1, bill_id: 1, kind: 'energy', amount_fen: 1, penalty_through_before: null, penalty_accrued_before_fen: 0, penalty_carried_before_fen: 0 }]),
  'payments.allocationsOfPayment': (s) => payments.allocationsOfPayment(s, 1),
  'payments.markPaymentReversed': (s) => payments.markPaymentReversed(s, 1, { reversalTxnId: 'r', accountingDate: 'd', requestHash: 'h', response: '{}', reversedAt: 'now' }),
  'payments.setReversalResponse': (s) => payments.setReversalResponse(s, 1, '{}'),
  'payments.laterPaymentTouches': (s) => payments.laterPaymentTouches(s, 1, [1, 2]),
  'withholding.findAgreement': (s) => withholding.findAgreement(s, 1, 'A-1'),
  'withholding.findActiveAgreementOfCustomer': (s) => withholding.findActiveAgreementOfCustomer(s, 1, 1),
  'withholding.insertAgreement': (s) => withholding.insertAgreement(s, { channel_id: 1, agreement_id: 'A-1', customer_id: 1, bank_account: '6222021234567890123', account_holder_name: 'n', status: 'active', signed_at: 'now', cancelled_at: null, sign_request_hash: 'h', cancel_request_hash: null }),
  'billRuns.runningRunOfPeriod': (s) => billRuns.runningRunOfPeriod(s, '2026-10'),
  'billRuns.recordRunProgress': (s) => billRuns.recordRunProgress(s, 1, 'now', { customers: 1 }),
  'billRuns.abandonBillRun': (s) => billRuns.abandonBillRun(s, 1, 'now'),
  'billReview.pageOfExceptions': (s) => billReview.pageOfExceptions(s, { runId: 1, period: '2026-10', status: 'open', rule: 'R', customerNo: '1', afterId: 1, limit: 10 }),
  'billReview.findException': (s) => billReview.findException(s, 1),
  'billReview.findBillWithCustomer': (s) => billReview.findBillWithCustomer(s, 'B1'),
  'billReview.countDrafts': (s) => billReview.countDrafts(s, '2026-10', ['residential']),
  'channelActivity.addToChannelActivity': (s) => channelActivity.addToChannelActivity(s, { channelCode: 'c', day: 'd', calls: 1, failures: 0, lastSeen: 'now' }),
  'channelActivity.insertChannelActivity': (s) => channelActivity.insertChannelActivity(s, { channelCode: 'c', day: 'd', calls: 1, failures: 0, lastSeen: 'now' }),
  'channelActivity.channelActivityOn': (s) => channelActivity.channelActivityOn(s, 'd', 'c'),
  'channelActivity.lastSeenOfChannels': (s) => channelActivity.lastSeenOfChannels(s, 'c'),
  'channelActivity.channelActivityBetween': (s) => channelActivity.channelActivityBetween(s, 'c', 'a', 'b'),
  'channelAssessment.paymentsByDay': (s) => channelAssessment.paymentsByDay(s, 1, 'a', 'b'),
  'channelAssessment.reversalsByDay': (s) => channelAssessment.reversalsByDay(s, 1, 'a', 'b'),
  'channelAssessment.reconciledDays': (s) => channelAssessment.reconciledDays(s, 1, 'a', 'b'),
  'terminals.pageOfTerminals': (s) => terminals.pageOfTerminals(s, { status: 'DEGRADED', afterMeterNo: 'm', lateBefore: 'a', offlineBefore: 'b', limit: 10 }),
  'alerts.pageOfAlerts': (s) => alerts.pageOfAlerts(s, { kinds: ['k'], notKinds: ['n'], since: 'now', activeOnly: true, afterId: 1, limit: 10 }),
  'customerAdmin.updateCustomerRow': (s) => customerAdmin.updateCustomerRow(s, 1, { name: 'n', tariff_code: 't' }),
  'customerAdmin.setPaymentMode': (s) => customerAdmin.setPaymentMode(s, 1, 'postpaid'),
  'meterExchange.findMeterByNo': (s) => meterExchange.findMeterByNo(s, 'm'),
  'meterExchange.markMeterRemoved': (s) => meterExchange.markMeterRemoved(s, 1, 'd'),
  'withholding.markAgreementCancelled': (s) => withholding.markAgreementCancelled(s, 1, { cancelledAt: 'now', requestHash: 'h' }),
  'onlinePayments.insertOnlinePayment': (s) => onlinePayments.insertOnlinePayment(s, { customer_id: 1, request_id: 'r', request_hash: 'h', bill_nos: '[]', bank_account: '6222021234567890123', amount_fen: 1, debit_id: 'd', state: 'checking', failure: null, bank_txn_id: null, bank_accounting_date: null, payment_id: null, response: null, lease_until_ms: 1, created_at: 'now', updated_at: 'now' }),
  'onlinePayments.findOnlinePayment': (s) => onlinePayments.findOnlinePayment(s, 1, 'r'),
  'onlinePayments.unsettledOnlinePayments': (s) => onlinePayments.unsettledOnlinePayments(s, 1),
  'onlinePayments.takeOverOnlinePayment': (s) => onlinePayments.takeOverOnlinePayment(s, 1, 1, 2),
  'onlinePayments.updateOnlinePayment': (s) => onlinePayments.updateOnlinePayment(s, 1, { state: 'posted', updated_at: 'now' }),
  'onlinePayments.discardOnlinePayment': (s) => onlinePayments.discardOnlinePayment(s, 1),
  'onlinePayments.abandonedOnlinePayments': (s) => onlinePayments.abandonedOnlinePayments(s, 1, 10),
  'reconciliation.lockReconciliationDay': (s) => reconciliation.lockReconciliationDay(s, 1, '2026-11-01'),
  'reconciliation.findReconciliationDay': (s) => reconciliation.findReconciliationDay(s, 1, '2026-11-01'),
  'reconciliation.isDayReconciled': (s) => reconciliation.isDayReconciled(s, 1, '2026-11-01'),
  'reconciliation.insertReconciliationDay': (s) => reconciliation.insertReconciliationDay(s, { channel_id: 1, accounting_date: 'd', status: 'receiving', total_count: 1, total_amount_fen: 1, batch_count: 1, batches_received: 0, entry_count: 0, entry_amount_fen: 0, matched_count: null, matched_amount_fen: null, channel_only_count: null, platform_only_count: null, amount_mismatch_count: null, created_at: 'now', reconciled_at: null }),
  'reconciliation.findReconciliationBatch': (s) => reconciliation.findReconciliationBatch(s, 1, 1),
  'reconciliation.insertReconciliationBatch': (s) => reconciliation.insertReconciliationBatch(s, { day_id: 1, batch_no: 1, request_hash: 'h', entry_count: 0, amount_fen: 0, status_after: 'receiving', batches_received_after: 1, received_at: 'now' }),
  'reconciliation.entriesReceived': (s) => reconciliation.entriesReceived(s, 1, ['t1', 't2']),
  'reconciliation.insertReconciliationEntries': (s) => reconciliation.insertReconciliationEntries(s, [{ day_id: 1, batch_no: 1, channel_txn_id: 't', customer_no: '3300000000011', amount_fen: 1 }]),
  'reconciliation.addBatchToDay': (s) => reconciliation.addBatchToDay(s, 1, 2, 300),
  'reconciliation.discardReconciliationDay': (s) => reconciliation.discardReconciliationDay(s, 1),
  'reconciliation.matchedTotals': (s) => reconciliation.matchedTotals(s, { dayId: 1, channelId: 1, accountingDate: '2026-11-01' }),
  'reconciliation.insertDiscrepancies': (s) => reconciliation.insertDiscrepancies(s, { dayId: 1, channelId: 1, accountingDate: '2026-11-01' }),
  'reconciliation.discrepancyCounts': (s) => reconciliation.discrepancyCounts(s, 1),
  'reconciliation.listDiscrepancies': (s) => reconciliation.listDiscrepancies(s, 1, 5001),
  'reconciliation.markDayReconciled': (s) => reconciliation.markDayReconciled(s, 1, { matchedCount: 1, matchedAmountFen: 1, channelOnlyCount: 0, platformOnlyCount: 0, amountMismatchCount: 0 }, 'now'),
  'customerAccess.findCredential': (s) => customerAccess.findCredential(s, 1),
  'customerAccess.insertCredential': (s) => customerAccess.insertCredential(s, { customer_id: 1, password_hash: 'h', password_salt: 's', password_params: 'p', locked_until: null, email: null, opened_at: 'now', password_changed_at: 'now', last_login_at: null }),
  'customerAccess.insertCredentialsForCustomers': (s) => customerAccess.insertCredentialsForCustomers(s, ['3300000000011', '3300000000012'], { password_hash: 'h', password_salt: 's', password_params: 'p', opened_at: 'now', password_changed_at: 'now' }),
  'customerAccess.recordLoginFailure': (s) => customerAccess.recordLoginFailure(s, 1, 5, 'later'),
  'customerAccess.recordLoginSuccess': (s) => customerAccess.recordLoginSuccess(s, 1, 'now'),
  'customerAccess.updatePassword': (s) => customerAccess.updatePassword(s, 1, { hash: 'h', salt: 's', params: 'p', at: 'now' }),
  'customerAccess.updateEmail': (s) => customerAccess.updateEmail(s, 1, 'a@b.cn'),
  'customerAccess.updateCustomerPhone': (s) => customerAccess.updateCustomerPhone(s, 1, '13800000000'),
  'customerAccess.insertLoginCode': (s) => customerAccess.insertLoginCode(s, { customer_id: 1, purpose: 'login', phone: '13800000000', code_hash: 'h', code_salt: 's', code_params: 'p', created_at: 'now', expires_at: 'later', consumed_at: null }),
  'customerAccess.latestLoginCode': (s) => customerAccess.latestLoginCode(s, 1, 'login'),
  'customerAccess.loginCodeTimesSince': (s) => customerAccess.loginCodeTimesSince(s, 1, 'then', 10),
  'customerAccess.voidOpenLoginCodes': (s) => customerAccess.voidOpenLoginCodes(s, 1, 'phone-change', 'now'),
  'customerAccess.recordCodeAttempt': (s) => customerAccess.recordCodeAttempt(s, 1, 5, 'now'),
  'customerAccess.consumeLoginCode': (s) => customerAccess.consumeLoginCode(s, 1, 'now'),
  'customerAccess.insertSession': (s) => customerAccess.insertSession(s, { customer_id: 1, token_hash: 'h', channel_code: 'portal', created_at: 'now', expires_at: 'later', ended_at: null }),
  'customerAccess.findSessionByTokenHash': (s) => customerAccess.findSessionByTokenHash(s, 'h'),
  'customerAccess.endSession': (s) => customerAccess.endSession(s, 1, 'now'),
  'customerAccess.endOtherSessions': (s) => customerAccess.endOtherSessions(s, 1, 2, 'now'),
  'customerView.issuedBillsBetween': (s) => customerView.issuedBillsBetween(s, 1, '2026-01', '2026-12'),
  'customerView.linesOfBills': (s) => customerView.linesOfBills(s, [1, 2]),
  'customerView.meterNosInService': (s) => customerView.meterNosInService(s, 1),
  'customerView.totalReadingsBetween': (s) => customerView.totalReadingsBetween(s, 1, '2026-10-01', '2026-10-31'),
  'customerView.issuedKwhBetween': (s) => customerView.issuedKwhBetween(s, 1, '2026-01', '2026-10'),
  'smsOutbox.insertSms': (s) => smsOutbox.insertSms(s, { phone: '13800000000', customer_id: 1, template: 'login-code', body: '验证码', status: 'pending', created_at: 'now', sent_at: null }),
  'smsOutbox.listOutbox': (s) => smsOutbox.listOutbox(s, { phone: '13800000000', customerId: 1, limit: 20 }),
  'estimation.segmentSettingsRows': (s) => estimation.segmentSettingsRows(s),
  'estimation.updateSegmentSettingsRow': (s) => estimation.updateSegmentSettingsRow(s, 'residential', { algorithm: 'register-delta', fallback: 'none', runs_per_day: 1, window_start: '06:00', window_end: '08:00', average_months: 3, peak_share_bp: 6000, alarm1_fen: 2, alarm2_fen: 1, grace_hours: 24, cutoff_from: '08:00', cutoff_to: '17:00', updated_at: 'now', updated_by: 'a' }),
  'estimation.insertEstimationRun': (s) => estimation.insertEstimationRun(s, { day: '2026-11-01', slot: 1, segment: null, startedAt: 'now' }),
  'estimation.finishEstimationRun': (s) => estimation.finishEstimationRun(s, 1, 'finished', 'now', {}),
  'estimation.loadEstimationSlice': (s) => estimation.loadEstimationSlice(s, { afterCustomerId: 0, size: 10, categories: ['residential'], readingDays: ['2026-10-31', '2026-11-01'], intervalFrom: 'a', intervalTo: 'b', fromMonth: '2025-11', day: '2026-11-01', data: 'readings' }),
  'estimation.insertEstimates': (s) => estimation.insertEstimates(s, [{ customer_id: 1, period_key: '2026-11-01', month: '2026-11', kwh: 1, amount_fen: 1, algorithm: 'register-delta', estimated: 0, run_id: 1, created_at: 'now' }]),
  'estimation.postBulkLedgerTransaction': (s) => estimation.postBulkLedgerTransaction(s, posting),
  'estimation.insertEstimateColumns': (s) => estimation.insertEstimateColumns(s, { periodKey: '2026-11-01', month: '2026-11', runId: 1, createdAt: 'now', customerIds: [1], kwh: [1], amountFen: [1], algorithms: ['register-delta'], estimated: [0] }),
  'estimation.noticeKeysOfDay': (s) => estimation.noticeKeysOfDay(s, '2026-11-01', 1, 2),
  'estimation.insertNoticesWithSms': (s) => estimation.insertNoticesWithSms(s, [{ notice: { customer_id: 1, day: 'd', level: 'alarm-1', balance_fen: 1, created_at: 'now' }, sms: { phone: '1', template: 'balance-alarm', body: 'b' } }]),
  'estimation.estimatesOfMonth': (s) => estimation.estimatesOfMonth(s, 1, '2026-11'),
  'estimation.unsettledSmartBills': (s) => estimation.unsettledSmartBills(s, '2026-11', 0, 10),
  'estimation.insertSettlement': (s) => estimation.insertSettlement(s, { bill_id: 1, customer_id: 1, period: '2026-11', estimates_fen: 1, bill_fen: 1, settlement_fen: 0, settled_at: 'now' }),
  'estimation.settlementOfBill': (s) => estimation.settlementOfBill(s, 1),
  'estimation.insertMeterIntervals': (s) => estimation.insertMeterIntervals(s, [{ meter_id: 1, starts_at: 'a', kwh_hundredths: 1 }]),
  'estimation.countSmartAccounts': (s) => estimation.countSmartAccounts(s, ['residential']),
  'control.recentCommandsOfCustomerNo': (s) => control.recentCommandsOfCustomerNo(s, '1'),
  'control.noticesOfDay': (s) => control.noticesOfDay(s, 'd', [1, 2]),
  'control.insertNotice': (s) => control.insertNotice(s, { customer_id: 1, day: 'd', level: 'alarm-1', balance_fen: 1, created_at: 'now' }),
  'control.firstCutoffNoticeAfter': (s) => control.firstCutoffNoticeAfter(s, 1, 'a'),
  'control.lastPaymentAt': (s) => control.lastPaymentAt(s, 1),
  'control.commandsOfCustomer': (s) => control.commandsOfCustomer(s, 1, 5),
  'control.insertControlCommand': (s) => control.insertControlCommand(s, { command_id: 'D1', customer_id: 1, meter_id: 1, kind: 'DISCONNECT', status: 'PENDING_APPROVAL', reason: 'r', created_at: 'now', approved_by: null, approved_at: null, sent_at: null, completed_at: null, last_error: null }),
  'control.findControlCommand': (s) => control.findControlCommand(s, 1),
  'control.updateControlCommand': (s) => control.updateControlCommand(s, 1, 'APPROVED', { status: 'HELD' }),
  'control.pageOfControlCommands': (s) => control.pageOfControlCommands(s, { status: 'DONE', customerNo: '1', from: 'a', to: 'b', afterId: 1, limit: 10 }),
  'control.commandsInStatus': (s) => control.commandsInStatus(s, 'APPROVED', 10),
  'control.switchMeterOf': (s) => control.switchMeterOf(s, 1),
  'control.isHoliday': (s) => control.isHoliday(s, 'd'),
  'control.addHoliday': (s) => control.addHoliday(s, 'd', 'n'),
  'control.isProtected': (s) => control.isProtected(s, 1, 'd'),
  'control.protectCustomer': (s) => control.protectCustomer(s, { customer_id: 1, reason: 'r', until_day: null, created_at: 'now' }),
  'control.insertAlert': (s) => control.insertAlert(s, { kind: 'k', subject: 's', message: 'm', created_at: 'now' }),
  'control.listAlerts': (s) => control.listAlerts(s, 0, 10),
  'control.disconnectedCustomers': (s) => control.disconnectedCustomers(s, 0, 10),
  'staff.insertStaffUser': (s) => staff.insertStaffUser(s, { username: 'u', display_name: 'n', role: 'auditor', password_hash: 'h', password_salt: 's', password_params: 'p', enabled: 1, locked_until: null, created_at: 'now', updated_at: 'now', last_login_at: null }),
  'staff.findStaffUser': (s) => staff.findStaffUser(s, 'u'),
  'staff.listStaffUsers': (s) => staff.listStaffUsers(s),
  'staff.setStaffEnabled': (s) => staff.setStaffEnabled(s, 1, false, 'now'),
  'staff.recordStaffLoginFailure': (s) => staff.recordStaffLoginFailure(s, 1, 5, 'later'),
  'staff.recordStaffLoginSuccess': (s) => staff.recordStaffLoginSuccess(s, 1, 'now'),
  'staff.insertConsoleSession': (s) => staff.insertConsoleSession(s, { staff_id: 1, token_hash: 'h', csrf_key: 'k', created_at: 'now', expires_at: 'later', ended_at: null }),
  'staff.findConsoleSession': (s) => staff.findConsoleSession(s, 'h'),
  'staff.endConsoleSession': (s) => staff.endConsoleSession(s, 1, 'now'),
  'staff.endSessionsOfStaff': (s) => staff.endSessionsOfStaff(s, 1, 'now'),
  'consoleView.searchCustomerRows': (s) => consoleView.searchCustomerRows(s, '33%_[', 200),
  'consoleView.latestReconciliationDays': (s) => consoleView.latestReconciliationDays(s, 200),
  'consoleView.findReconciliationDayById': (s) => consoleView.findReconciliationDayById(s, 1),
  'consoleView.latestAuditRecords': (s) => consoleView.latestAuditRecords(s, { actor: 'a', limit: 200 }),
  'schedulerLeases.acquireLease': (s) => schedulerLeases.acquireLease(s, { job: 'j', holder: 'h', runKey: 'k', now: 'a', expiresAt: 'b' }),
  'schedulerLeases.renewLease': (s) => schedulerLeases.renewLease(s, 'j', 'h', 'b'),
  'schedulerLeases.releaseLease': (s) => schedulerLeases.releaseLease(s, 'j', 'h', 'a', 'k'),
  'schedulerLeases.leaseOf': (s) => schedulerLeases.leaseOf(s, 'j'),
  'directDebits.billsAwaitingDebit': (s) => directDebits.billsAwaitingDebit(s, 10),
  'directDebits.insertDirectDebit': (s) => directDebits.insertDirectDebit(s, { bill_id: 1, customer_id: 1, agreement_id: 1, debit_id: null, amount_fen: 0, state: 'pending', attempts: 0, next_attempt_at: 'now', failure: null, bank_txn_id: null, bank_accounting_date: null, payment_id: null, created_at: 'now', updated_at: 'now' }),
  'directDebits.directDebitsToWork': (s) => directDebits.directDebitsToWork(s, 'now', 10),
  'directDebits.updateDirectDebit': (s) => directDebits.updateDirectDebit(s, 1, 'sent', { state: 'pending' }),
  'directDebits.directDebitOfBill': (s) => directDebits.directDebitOfBill(s, 1),
};

const MODULES = { channelAssessment, terminals, alerts, staff, consoleView, billRuns, billReview, channelActivity, customerAdmin, meterExchange, customers, meters, tariffs, channels, ledger, audit, payments, withholding, onlinePayments, reconciliation, customerAccess, customerView, smsOutbox, estimation, control, schedulerLeases, directDebits };
// Pure helpers exported beside the queries; they send no SQL.
const NOT_QUERIES = new Set(['ledger.assertBalanced', 'audit.auditHash', 'audit.GENESIS_HASH', 'payments.isUniqueViolation', 'estimation.ESTIMATE_COLUMNS']);

describe('SQL Server dialect', () => {
  it('compiles the schema migration to T-SQL types', async () => {
    const { store, driver } = recordingStore();
    await migration0001.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    const createCustomers = driver.statements.find((s) => s.startsWith('create table "customers"'))!;
    expect(createCustomers).to.include('"id" bigint identity primary key');
    expect(createCustomers).to.include('"name" nvarchar(100)');
  });

  it('compiles the payments migration to T-SQL, with a filtered unique index for reversal ids', async () => {
    const { store, driver } = recordingStore();
    await migration0002.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.match(/create unique index "payments_channel_reversal_uq".* where "reversal_txn_id" is not null/);
  });

  it('compiles the estimation-speed migration to T-SQL: the index it replaces is dropped with its table named', async () => {
    const { store, driver } = recordingStore();
    await migration0010.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('drop index "ledger_entries_account_ix" on "ledger_entries"');
  });

  it('compiles the smart-payment migration to T-SQL', async () => {
    const { store, driver } = recordingStore();
    await migration0008.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('"kind" nvarchar(16)');
  });

  it('compiles the operations migration to T-SQL: counters added with a default', async () => {
    const { store, driver } = recordingStore();
    await migration0012.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('alter table "channel_activity" add "latency_le_1ms" bigint default 0 not null');
  });

  it('compiles a terminal page with a top(1) subquery for the switch state', async () => {
    const { store, driver } = recordingStore();
    await terminals.pageOfTerminals(store, { lateBefore: 'a', offlineBefore: 'b', limit: 10 });
    expect(driver.statements.join('\n')).to.match(/select top\(1\) "s"\."kind"/);
  });

  it('compiles the direct-debit migration to T-SQL', async () => {
    const { store, driver } = recordingStore();
    await migration0011.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('"debit_id" nvarchar(64)');
  });

  it('compiles the withholding migration to T-SQL, with a filtered unique index for active agreements', async () => {
    const { store, driver } = recordingStore();
    await migration0003.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.match(/create unique index "withholding_active_customer_uq".* where "status" = 'active'/);
  });

  it('compiles the online payments migration to T-SQL', async () => {
    const { store, driver } = recordingStore();
    await migration0006.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('"bank_account" nvarchar(30)');
  });

  it('compiles the customer-access migration to T-SQL, SMS text as nvarchar', async () => {
    const { store, driver } = recordingStore();
    await migration0005.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('"body" nvarchar(500)');
  });

  it('compiles the reconciliation migration to T-SQL', async () => {
    const { store, driver } = recordingStore();
    await migration0004.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('alter table "channels" add "reversal_days" int');
  });

  it('compiles the staff console migration to T-SQL, names as nvarchar', async () => {
    const { store, driver } = recordingStore();
    await migration0009.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.include('"display_name" nvarchar(100)');
  });

  it('serialises a reconciliation day with an application lock', async () => {
    const { store, driver } = recordingStore();
    await reconciliation.lockReconciliationDay(store, 7, '2026-11-01');
    expect(driver.statements.join('\n')).to.include('sp_getapplock');
  });

  it('compiles the billing administration migration to T-SQL, with a filtered unique index for running bill runs', async () => {
    const { store, driver } = recordingStore();
    await migration0007.up(store.db as Kysely<Database>, 'mssql');
    expectTsql(driver.statements);
    expect(driver.statements.join('\n')).to.match(/create unique index "bill_runs_running_period_uq".* where "status" = 'running'/);
  });

  it('serialises payments of a customer with an application lock', async () => {
    const { store, driver } = recordingStore();
    await payments.lockCustomerForPayment(store, 42);
    expect(driver.statements.join('\n')).to.include('sp_getapplock');
  });

  it('has a call here for every exported repository function', () => {
    const exported = Object.entries(MODULES).flatMap(([name, mod]) => Object.keys(mod).map((k) => `${name}.${k}`));
    const missing = exported.filter((name) => !NOT_QUERIES.has(name) && !(name in CALLS));
    expect(missing, 'repository functions without a compile check').to.deep.equal([]);
  });

  for (const [name, call] of Object.entries(CALLS)) {
    it(`compiles ${name} to T-SQL`, async () => {
      const { store, driver } = recordingStore();
      await call(store);
      expectTsql(driver.statements);
      if (name.includes('.insert') || name === 'ledger.postLedgerTransaction') {
        expect(driver.statements.join('\n')).to.match(/output "inserted"\."id"|insert into/);
      }
    });
  }

  it('serialises audit appends with an application lock', async () => {
    const { store, driver } = recordingStore();
    await audit.appendAudit(store, { at: 'now', actor: 'a', action: 'b', subject: 'c', detail: {} });
    const all = driver.statements.join("\n");
    expect(all).to.include("sp_getapplock");
    expect(all).to.match(/select top\(1\)/);
  });

  describe('live, against a real server', function () {
    const url = process.env.GRIDBILL_TEST_MSSQL;
    before(function () {
      if (!url) {
        console.warn('  SQL Server live suite skipped: set GRIDBILL_TEST_MSSQL=mssql://user:pass@host:1433/db to run it');
        this.skip();
      }
    });
    it('migrates and answers queries', async () => {
      const store = await openStore(url!);
      try {
        await migrateToLatest(store.db, store.dialect);
        expect(await customers.countCustomers(store)).to.be.a('number');
      } finally {
        await store.close();
      }
    });
  });
});
