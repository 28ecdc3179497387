// The services and their fixed operation names (DESIGN.md). Channel permissions name operations
// from this list; the WSDLs in wsdl/ define the same ones.

export const SERVICES = {
  ChannelPaymentService: ['QueryArrears', 'Pay', 'Reverse', 'QueryTransaction', 'Reconcile', 'SignWithholding', 'CancelWithholding'],
  CustomerService: ['RequestLoginCode', 'Login', 'Logout', 'GetProfile', 'UpdateProfile', 'QueryConsumption', 'QueryBills', 'EstimateFee', 'PayOnline'],
  BillingAdminService: [
    'CreateCustomer', 'UpdateCustomer', 'InstallMeter', 'ReplaceMeter', 'SubmitReadings', 'PublishTariff', 'RunBilling', 'GetBillRun',
    'ListExceptions', 'ResolveException', 'IssueBills', 'GetBill', 'OpenOnlineBanking', 'RunEstimation', 'ListControlCommands',
  ],
  OperationsService: ['GetChannelStatus', 'GetChannelAssessment', 'GetTerminalStatus', 'ListAlerts'],
  BankGatewayService: ['CheckBalance', 'Debit', 'ReverseDebit'],
  MeterControlService: ['Disconnect', 'Reconnect', 'GetSwitchState'],
} as const;

export type ServiceName = keyof typeof SERVICES;
export type OperationName = (typeof SERVICES)[ServiceName][number];

/** The services gridbill itself serves (the bank's and the head-end's are called, not served). */
export const SERVED_SERVICES: readonly ServiceName[] = ['ChannelPaymentService', 'CustomerService', 'BillingAdminService', 'OperationsService'];

const ALL_OPERATIONS: ReadonlySet<string> = new Set(SERVED_SERVICES.flatMap((s) => [...SERVICES[s]]));

export function isServedOperation(name: string): name is OperationName {
  return ALL_OPERATIONS.has(name);
}
