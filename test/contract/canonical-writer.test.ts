import { expect } from 'chai';
import { ContractWriteError } from '../../src/contract/canonical-writer.ts';
import type { ComplexValue, ContractValue } from '../../src/contract/schema.ts';
import { loadServiceContract } from '../../src/contract/service-contract.ts';
import { parseXml } from '../../src/contract/xml.ts';

const CP = 'urn:gridbill:channel-payment:v1';
const channel = loadServiceContract('ChannelPaymentService');
const pay = channel.operations.get('Pay')!.request;
const queryArrears = channel.operations.get('QueryArrears')!.response;

const s = (name: string, text: string, builtin: 'string' | 'decimal' | 'date' = 'string'): ContractValue =>
  ({ kind: 'simple', namespace: CP, name, text, builtin });
const payValue = (children: ContractValue[]): ComplexValue => ({ kind: 'complex', namespace: CP, name: 'Pay', children });
const PAY = [s('channelTxnId', 'T1'), s('customerNo', '3301000000018'), s('amount', '19.50', 'decimal'), s('accountingDate', '2026-11-20', 'date')];

describe('contract canonical writer', () => {
  it('writes one form whatever the received document looked like: no prefixes, comments, whitespace or declarations', () => {
    const received = `<?xml version="1.0"?>\n<!-- c --><cp:Pay xmlns:cp="${CP}" xmlns:unused="urn:x">\n  <cp:channelTxnId>T1</cp:channelTxnId>
      <cp:customerNo><![CDATA[3301000000018]]></cp:customerNo><!-- c -->\n  <cp:amount> 19.50 </cp:amount>
      <cp:accountingDate>2026-11-20</cp:accountingDate></cp:Pay>`;
    const result = pay.validate(parseXml(received));
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(pay.write(result.value)).to.equal(`<Pay xmlns="${CP}"><channelTxnId>T1</channelTxnId><customerNo>3301000000018</customerNo>`
      + '<amount>19.50</amount><accountingDate>2026-11-20</accountingDate></Pay>');
  });

  it('writes a value built by code in schema order, whatever order it was given in', () => {
    const written = pay.write(payValue([...PAY].reverse()));
    expect(written.indexOf('<channelTxnId>')).to.be.below(written.indexOf('<accountingDate>'));
    expect(pay.validate(parseXml(written)).ok).to.equal(true);
  });

  it('escapes text so the same characters come back', () => {
    const value: ComplexValue = {
      kind: 'complex', namespace: CP, name: 'QueryArrearsResponse', children: [
        s('customerNo', '3301000000018'), s('customerName', '张*丰 & "Sons" \'Ltd\''), s('address', '西湖区*'),
        s('asOf', '2026-11-20', 'date'), s('prepaidBalance', '0', 'decimal'), s('totalDue', '0.00', 'decimal'),
      ],
    };
    const written = queryArrears.write(value);
    expect(written).to.include('张*丰 &amp; &quot;Sons&quot; &apos;Ltd&apos;');
    const again = queryArrears.validate(parseXml(written));
    expect(again.ok && again.value).to.deep.equal(value);
  });

  it('refuses to write a value that does not fit the declaration', () => {
    const cases: ReadonlyArray<readonly [ComplexValue, RegExp]> = [
      [payValue(PAY.slice(1)), /\/Pay\/channelTxnId: missing/],
      [payValue([...PAY, s('comment', 'x')]), /\/Pay\/comment: not declared here/],
      [payValue([...PAY, s('amount', '1.00', 'decimal')]), /\/Pay\/amount: more than 1/],
      [payValue([PAY[0]!, PAY[1]!, s('amount', '1e3', 'decimal'), PAY[3]!]), /\/Pay\/amount: not a valid decimal/],
      [payValue([PAY[0]!, PAY[1]!, { kind: 'complex', namespace: CP, name: 'amount', children: [] }, PAY[3]!]), /a simple value is expected/],
      [{ ...payValue(PAY), name: 'Reverse' }, /expected \{urn:gridbill:channel-payment:v1\}Pay/],
      [{ ...payValue(PAY), namespace: 'urn:other' }, /expected/],
    ];
    for (const [value, reason] of cases) expect(() => pay.write(value)).to.throw(ContractWriteError, reason);
  });

  it('refuses characters XML cannot carry', () => {
    const faults = channel.operations.get('Pay')!.faults.get('GridbillFault')!;
    const fault: ComplexValue = {
      kind: 'complex', namespace: 'urn:gridbill:types:v1', name: 'GridbillFault', children: [
        { kind: 'simple', namespace: 'urn:gridbill:types:v1', name: 'code', text: 'INTERNAL', builtin: 'string' },
        { kind: 'simple', namespace: 'urn:gridbill:types:v1', name: 'message', text: 'bad \uFFFE', builtin: 'string' },
        { kind: 'simple', namespace: 'urn:gridbill:types:v1', name: 'correlationId', text: 'c0ffee00-1', builtin: 'string' },
      ],
    };
    expect(() => faults.write(fault)).to.throw(ContractWriteError, /a character XML cannot carry/);
  });
});
