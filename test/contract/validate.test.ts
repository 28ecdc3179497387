import { expect } from 'chai';
import { loadServiceContract } from '../../src/contract/service-contract.ts';
import type { ComplexValue, SimpleValue } from '../../src/contract/schema.ts';
import { validationError, type Validation, type Violation } from '../../src/contract/validate.ts';
import { parseXml, type XmlElement } from '../../src/contract/xml.ts';
import { isGridbillError } from '../../src/errors.ts';
import { LIMITS } from '../../src/limits.ts';
import { simpleField } from './synthetic.ts';

const CP = 'urn:gridbill:channel-payment:v1';
const channel = loadServiceContract('ChannelPaymentService');
const pay = channel.operations.get('Pay')!.request;
const reconcile = channel.operations.get('Reconcile')!.request;

const PAY_FIELDS = {
  channelTxnId: 'ICBC20261120000123', customerNo: '3301000000018', amount: '300.00', accountingDate: '2026-11-20',
};

/** A Pay request; `fields` replace or (undefined) drop the defaults, `tail` is appended raw. */
function payXml(fields: Partial<Record<keyof typeof PAY_FIELDS, string | undefined>> = {}, tail = ''): string {
  const merged = { ...PAY_FIELDS, ...fields };
  const inner = Object.entries(merged).filter(([, v]) => v !== undefined).map(([k, v]) => `<${k}>${v}</${k}>`).join('');
  return `<Pay xmlns="${CP}">${inner}${tail}</Pay>`;
}

const validatePay = (xml: string): Validation => pay.validate(parseXml(xml));

function violations(result: Validation): readonly Violation[] {
  expect(result.ok, 'expected violations').to.equal(false);
  return result.ok ? [] : result.violations;
}

function expectViolation(result: Validation, path: string, reason: RegExp): void {
  const found = violations(result);
  expect(found.some((v) => v.path === path && reason.test(v.reason)), JSON.stringify(found)).to.equal(true);
}

function field(value: ComplexValue, name: string): string | undefined {
  const child = value.children.find((c) => c.name === name);
  return child?.kind === 'simple' ? child.text : undefined;
}

function amountOf(amount: string): Validation {
  return validatePay(payXml({ amount }));
}

describe('contract validation: values', () => {
  it('gives the values of a valid request, strings exactly as sent, in schema order', () => {
    const result = validatePay(payXml({}, '<billNo>202610ABC123</billNo><billNo>2026113301000000018</billNo>'));
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(result.value.children.map((c) => c.name)).to.deep.equal(['channelTxnId', 'customerNo', 'amount', 'accountingDate', 'billNo', 'billNo']);
    const amount = result.value.children[2] as SimpleValue;
    expect(amount).to.deep.equal({ kind: 'simple', namespace: CP, name: 'amount', text: '300.00', builtin: 'decimal' });
  });

  it('keeps decimals exact: 19.50 stays 19.50, and XSD decimal forms are accepted as written', () => {
    for (const amount of ['19.50', '19.5', '0.01', '999999999.99', '+19.50', '019.50', '.5', '5.', '19.500', '100']) {
      const result = amountOf(amount);
      expect(result.ok, amount).to.equal(true);
      if (result.ok) expect(field(result.value, 'amount')).to.equal(amount);
    }
  });

  it('refuses what is not an xsd:decimal: exponents, hex, NaN, infinities, commas, signs alone', () => {
    for (const amount of ['1e3', '1E3', '0x10', 'NaN', 'INF', '-INF', 'Infinity', '1,50', '+', '-', '.', '', '12abc', '１２']) {
      expectViolation(amountOf(amount), '/Pay/amount', /not a valid decimal/);
    }
  });

  it('collapses whitespace around non-string values and keeps the collapsed value', () => {
    const result = validatePay(payXml({ amount: ' \n 19.5\t ', accountingDate: '\n2026-11-20 ' }));
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(field(result.value, 'amount')).to.equal('19.5');
    expect(field(result.value, 'accountingDate')).to.equal('2026-11-20');
    expectViolation(amountOf('19 .5'), '/Pay/amount', /not a valid decimal/);
  });

  it('preserves whitespace in strings, so a padded identifier does not match its pattern', () => {
    expectViolation(validatePay(payXml({ customerNo: ' 330100000001' })), '/Pay/customerNo', /pattern/);
    expectViolation(validatePay(payXml({ customerNo: '330100000001\n' })), '/Pay/customerNo', /pattern/);
    expectViolation(validatePay(payXml({ customerNo: '3301000000018\n' })), '/Pay/customerNo', /longer than 13/);
  });

  it('reads a value split by a comment or held in CDATA as the same value', () => {
    const result = validatePay(payXml({ amount: '19<!-- x -->.50', customerNo: '<![CDATA[3301000000018]]>' }));
    expect(result.ok).to.equal(true);
    if (result.ok) expect([field(result.value, 'amount'), field(result.value, 'customerNo')]).to.deep.equal(['19.50', '3301000000018']);
  });
});

describe('contract validation: facets', () => {
  it('totalDigits and fractionDigits count the value, not the characters', () => {
    expectViolation(amountOf('12.345'), '/Pay/amount', /more than 2 fraction digits \(PaymentAmount\)/);
    expect(amountOf('12.340').ok).to.equal(true);
    const digits = simpleField('<xsd:restriction base="xsd:decimal"><xsd:totalDigits value="3"/></xsd:restriction>').operations.get('Op')!.request;
    const v = (text: string) => digits.validate(parseXml(`<Op xmlns="urn:test:v1"><v>${text}</v></Op>`));
    for (const ok of ['999', '00999', '9.99', '99.90', '-0.001']) expect(v(ok).ok, ok).to.equal(true);
    for (const bad of ['1000', '1.234', '-99.91']) expectViolation(v(bad), '/Op/v', /more than 3 digits/);
  });

  it('inclusive bounds at the edge, one fen inside and one outside', () => {
    expect(amountOf('0.01').ok).to.equal(true);
    expectViolation(amountOf('0.00'), '/Pay/amount', /below the minimum 0\.01/);
    expectViolation(amountOf('-0.01'), '/Pay/amount', /below the minimum/);
    expect(amountOf('999999999.99').ok).to.equal(true);
    expectViolation(amountOf('1000000000.00'), '/Pay/amount', /above the maximum 999999999\.99/);
  });

  it('exclusive bounds', () => {
    const op = simpleField('<xsd:restriction base="xsd:int"><xsd:minExclusive value="0"/><xsd:maxExclusive value="10"/></xsd:restriction>')
      .operations.get('Op')!.request;
    const v = (text: string) => op.validate(parseXml(`<Op xmlns="urn:test:v1"><v>${text}</v></Op>`));
    expect(v('1').ok).to.equal(true);
    expect(v('9').ok).to.equal(true);
    expectViolation(v('0'), '/Op/v', /not above 0/);
    expectViolation(v('10'), '/Op/v', /not below 10/);
  });

  it('integers: no fraction, no exponent, within the built-in range and the facets', () => {
    const batch = (batchNo: string) => reconcile.validate(parseXml(`<Reconcile xmlns="${CP}"><accountingDate>2026-11-19</accountingDate>`
      + `<totalCount>0</totalCount><totalAmount>0</totalAmount><batchNo>${batchNo}</batchNo><batchCount>1</batchCount></Reconcile>`));
    expect(batch('1').ok).to.equal(true);
    expect(batch('+0001').ok).to.equal(true);
    for (const bad of ['1.0', '1e0', '0x1', '١']) expectViolation(batch(bad), '/Reconcile/batchNo', /not a valid int/);
    expectViolation(batch('99999999999'), '/Reconcile/batchNo', /not a valid int: out of range/);
    expectViolation(batch('0'), '/Reconcile/batchNo', /below the minimum 1/);
    expectViolation(batch('1001'), '/Reconcile/batchNo', /above the maximum 1000/);
  });

  it('pattern: anchored, ASCII digits only, no markup', () => {
    for (const bad of ['330100000001X', '33010000000１８', 'x330100000001', '123456789', '٣٣٠١٠٠٠٠٠٠٠١']) {
      expectViolation(validatePay(payXml({ customerNo: bad })), '/Pay/customerNo', /pattern \(CustomerNo\)/);
    }
    expectViolation(validatePay(payXml({ channelTxnId: "1'; DROP TABLE payments;--" })), '/Pay/channelTxnId', /pattern/);
    expectViolation(validatePay(payXml({ channelTxnId: '&lt;script&gt;' })), '/Pay/channelTxnId', /pattern/);
  });

  it('length, minLength and maxLength count characters, checked before the pattern', () => {
    const op = simpleField('<xsd:restriction base="xsd:string"><xsd:minLength value="2"/><xsd:maxLength value="3"/></xsd:restriction>')
      .operations.get('Op')!.request;
    const v = (text: string) => op.validate(parseXml(`<Op xmlns="urn:test:v1"><v>${text}</v></Op>`));
    expect(v('张丰').ok).to.equal(true);
    expect(v('𠮷𠮷𠮷').ok).to.equal(true); // three characters, six UTF-16 units
    expectViolation(v('a'), '/Op/v', /shorter than 2/);
    expectViolation(v('abcd'), '/Op/v', /longer than 3/);
    const exact = simpleField('<xsd:restriction base="xsd:string"><xsd:length value="2"/></xsd:restriction>').operations.get('Op')!.request;
    expectViolation(exact.validate(parseXml('<Op xmlns="urn:test:v1"><v>abc</v></Op>')), '/Op/v', /length must be 2/);
    const long = '9'.repeat(60_000);
    expectViolation(validatePay(payXml({ customerNo: long })), '/Pay/customerNo', /longer than 13/);
  });

  it('enumeration: exact spelling, each restriction step applies', () => {
    const contract = loadServiceContract('ChannelPaymentService');
    const fault = contract.operations.get('Pay')!.faults.get('GridbillFault')!;
    const doc = (code: string) => parseXml(`<GridbillFault xmlns="urn:gridbill:types:v1"><code>${code}</code>`
      + '<message>Not found</message><correlationId>c0ffee00-1234</correlationId></GridbillFault>');
    expect(fault.validate(doc('CUSTOMER_NOT_FOUND')).ok).to.equal(true);
    for (const bad of ['customer_not_found', 'CUSTOMER_NOT_FOUND ', 'NO_SUCH_CODE', '']) {
      expectViolation(fault.validate(doc(bad)), '/GridbillFault/code', /not one of the allowed values/);
    }
    const numeric = simpleField('<xsd:restriction base="xsd:decimal"><xsd:enumeration value="0.90"/><xsd:enumeration value="1"/></xsd:restriction>')
      .operations.get('Op')!.request;
    const v = (text: string) => numeric.validate(parseXml(`<Op xmlns="urn:test:v1"><v>${text}</v></Op>`));
    for (const ok of ['0.9', '0.90', '1.00', ' 1 ']) expect(v(ok).ok, ok).to.equal(true);
    expectViolation(v('0.91'), '/Op/v', /not one of the allowed values/);
  });

  it('dates and times: real calendar days, zones in range, the contract patterns on top', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-01', '26-01-01', '0000-01-01', '2026-01-01T00:00:00']) {
      expectViolation(validatePay(payXml({ accountingDate: bad })), '/Pay/accountingDate', /not a valid date/);
    }
    expect(validatePay(payXml({ accountingDate: '2028-02-29' })).ok).to.equal(true);
    expectViolation(validatePay(payXml({ accountingDate: '2026-02-29' })), '/Pay/accountingDate', /not a valid date/);
    // a zone is valid xsd:date but not t:Date
    expectViolation(validatePay(payXml({ accountingDate: '2026-11-20+08:00' })), '/Pay/accountingDate', /pattern \(Date\)/);
    const stamp = simpleField('<xsd:restriction base="xsd:dateTime"/>').operations.get('Op')!.request;
    const v = (text: string) => stamp.validate(parseXml(`<Op xmlns="urn:test:v1"><v>${text}</v></Op>`));
    for (const ok of ['2026-11-20T10:15:30+08:00', '2026-11-20T10:15:30.123456Z', '2026-11-20T24:00:00', '2026-11-20T10:15:30-14:00']) {
      expect(v(ok).ok, ok).to.equal(true);
    }
    for (const bad of ['2026-11-20T24:00:01', '2026-11-20T10:60:00', '2026-11-20T10:15:30+14:01', '2026-11-20 10:15:30', '2026-11-20T10:15']) {
      expectViolation(v(bad), '/Op/v', /not a valid date and time/);
    }
  });

  it('booleans and base64Binary', () => {
    const flag = simpleField('<xsd:restriction base="xsd:boolean"/>').operations.get('Op')!.request;
    const v = (text: string) => flag.validate(parseXml(`<Op xmlns="urn:test:v1"><v>${text}</v></Op>`));
    for (const ok of ['true', 'false', '1', '0', ' true ']) expect(v(ok).ok, ok).to.equal(true);
    for (const bad of ['TRUE', 'yes', '2', '']) expectViolation(v(bad), '/Op/v', /not a valid boolean/);
    const bytes = simpleField('<xsd:restriction base="xsd:base64Binary"><xsd:maxLength value="3"/></xsd:restriction>').operations.get('Op')!.request;
    const b = (text: string) => bytes.validate(parseXml(`<Op xmlns="urn:test:v1"><v>${text}</v></Op>`));
    for (const ok of ['AAEC', 'AQ==', 'AQI=', '', 'AA EC']) expect(b(ok).ok, ok).to.equal(true);
    for (const bad of ['AQ=', 'A', 'AR==', '****']) expectViolation(b(bad), '/Op/v', /not valid base64/);
    expectViolation(b('AAECAw=='), '/Op/v', /longer than 3/);
  });
});

describe('contract validation: structure', () => {
  it('refuses a missing required element, naming it', () => {
    expectViolation(validatePay(payXml({ customerNo: undefined })), '/Pay/customerNo', /^missing$/);
    expectViolation(validatePay(`<Pay xmlns="${CP}"/>`), '/Pay/accountingDate', /^missing$/);
  });

  it('refuses an unknown element, an element out of order, and one in the wrong namespace', () => {
    expectViolation(validatePay(payXml({}, '<comment>x</comment>')), '/Pay/comment', /unexpected element comment/);
    expectViolation(validatePay(payXml({}, '<__proto__>x</__proto__>')), '/Pay/__proto__', /unexpected element __proto__/);
    const swapped = `<Pay xmlns="${CP}"><customerNo>3301000000018</customerNo><channelTxnId>T1</channelTxnId>`
      + '<amount>1.00</amount><accountingDate>2026-11-20</accountingDate></Pay>';
    expectViolation(validatePay(swapped), '/Pay/channelTxnId', /out of order/);
    const foreign = payXml({ amount: undefined }, '').replace('<accountingDate>', '<amount xmlns="urn:other">1.00</amount><accountingDate>');
    expectViolation(validatePay(foreign), '/Pay/amount', /wrong namespace/);
  });

  it('refuses the message element under another name or namespace', () => {
    expectViolation(validatePay(payXml().replace(CP, 'urn:gridbill:channel-payment:v2')), '/Pay', /expected namespace/);
    expectViolation(pay.validate(parseXml(`<QueryArrears xmlns="${CP}"/>`)), '/QueryArrears', /expected element Pay/);
  });

  it('refuses a duplicated singleton and more occurrences than maxOccurs', () => {
    expectViolation(validatePay(payXml({}).replace('<amount>', '<amount>1.00</amount><amount>')), '/Pay/amount', /occurs more than once/);
    const bills = Array.from({ length: 101 }, (_, i) => `<billNo>B${String(i).padStart(6, '0')}</billNo>`).join('');
    expectViolation(validatePay(payXml({}, bills)), '/Pay/billNo[101]', /occurs more than 100 times/);
    expect(validatePay(payXml({}, bills.slice(0, bills.lastIndexOf('<billNo>')))).ok).to.equal(true);
  });

  it('refuses fewer occurrences than minOccurs', () => {
    const op = simpleField('<xsd:restriction base="xsd:string"><xsd:maxLength value="3"/></xsd:restriction>', ' minOccurs="2" maxOccurs="3"')
      .operations.get('Op')!.request;
    expectViolation(op.validate(parseXml('<Op xmlns="urn:test:v1"><v>a</v></Op>')), '/Op/v', /occurs 1 times, at least 2 required/);
    expect(op.validate(parseXml('<Op xmlns="urn:test:v1"><v>a</v><v>b</v></Op>')).ok).to.equal(true);
  });

  it('refuses elements where a value is expected and text where elements are expected', () => {
    expectViolation(validatePay(payXml({ amount: '<value>1.00</value>' })), '/Pay/amount', /elements where a value of PaymentAmount is expected/);
    expectViolation(validatePay(payXml({}).replace('<amount>', 'stray text<amount>')), '/Pay', /text where elements are expected/);
    expect(validatePay(payXml({}).replace('<amount>', '\n   \t<amount>')).ok).to.equal(true);
  });

  it('refuses xsi:type, xsi:nil and every other attribute', () => {
    const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
    expectViolation(validatePay(payXml({}).replace('<amount>', `<amount ${xsi} xsi:type="xsd:string">`)), '/Pay/amount', /xsi:type is not allowed/);
    expectViolation(validatePay(payXml({ amount: undefined }, '').replace('<accountingDate>', `<amount ${xsi} xsi:nil="true"/><accountingDate>`)),
      '/Pay/amount', /xsi:nil is not allowed/);
    expectViolation(validatePay(payXml().replace('<Pay ', '<Pay id="x" ')), '/Pay', /attribute id is not allowed/);
    expectViolation(validatePay(payXml().replace('<customerNo>', '<customerNo xml:lang="en">')), '/Pay/customerNo', /attribute .*lang is not allowed/);
  });

  it('names a repeated element by its position, from one', () => {
    const entry = (amount: string) => `<entry><channelTxnId>T1</channelTxnId><customerNo>3301000000018</customerNo><amount>${amount}</amount></entry>`;
    const doc = `<Reconcile xmlns="${CP}"><accountingDate>2026-11-19</accountingDate><totalCount>2</totalCount><totalAmount>2</totalAmount>`
      + `<batchNo>1</batchNo><batchCount>1</batchCount>${entry('1.00')}${entry('1e0')}</Reconcile>`;
    const found = violations(reconcile.validate(parseXml(doc)));
    expect(found).to.deep.equal([{ path: '/Reconcile/entry[2]/amount', reason: 'not a valid decimal' }]);
  });

  it('collects several violations but never more than contractViolationsMax', () => {
    const many = `<Pay xmlns="${CP}">${'<x/>'.repeat(100)}</Pay>`;
    const found = violations(validatePay(many));
    expect(found).to.have.length(LIMITS.contractViolationsMax);
    expect(violations(validatePay(payXml({ amount: 'x', customerNo: 'y' })))).to.have.length(2);
  });

  it('turns violations into one VALIDATION_FAILED whose message fits a fault', () => {
    const found = violations(validatePay(`<Pay xmlns="${CP}">${`<${'a'.repeat(200)}/>`.repeat(30)}</Pay>`));
    const error = validationError(found);
    expect(isGridbillError(error) && error.code).to.equal('VALIDATION_FAILED');
    expect(error.message.length).to.be.at.most(500);
    expect(error.message).to.not.match(/[<>\p{Cc}]/u);
    expect(validationError([{ path: '/Pay/amount', reason: 'missing' }]).detail).to.equal('/Pay/amount: missing');
  });

  it('never echoes the offending value in a reason', () => {
    const found = violations(validatePay(payXml({ channelTxnId: 'SECRET-VALUE!', amount: 'SECRET' })));
    expect(JSON.stringify(found)).to.not.include('SECRET');
  });

  it('accepts trees from another reader of the same shape', () => {
    const tree: XmlElement = {
      uri: CP, local: 'QueryArrears', attrs: new Map(), text: '',
      children: [{ uri: CP, local: 'customerNo', attrs: new Map(), children: [], text: '3301000000018' }],
    };
    expect(channel.operations.get('QueryArrears')!.request.validate(tree).ok).to.equal(true);
  });
});
