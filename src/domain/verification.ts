// Verification before bills are issued (核查): the public face of src/domain/verification/.

export * from './verification/exceptions.ts';
export * from './verification/input.ts';
export * from './verification/rules.ts';
export * from './verification/describe.ts';
export * from './verification/verify-bill.ts';
