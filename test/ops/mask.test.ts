import { expect } from 'chai';
import { maskAddress, maskFields, maskIdNumber, maskName, maskPhone, maskText } from '../../src/ops/mask.ts';

describe('masking personal data', () => {
  it('keeps only the ends of ID numbers, phone numbers and accounts', () => {
    expect(maskIdNumber('330106199001011234')).to.equal('330106********1234');
    expect(maskPhone('13812345678')).to.equal('138****5678');
    expect(maskFields({ bankAccount: '6222021234567890123' })).to.deep.equal({ bankAccount: '6222***********0123' });
  });

  it('masks Chinese names and street addresses', () => {
    expect(maskName('王小明')).to.equal('王*明');
    expect(maskName('李四')).to.equal('李*');
    expect(maskName('杭州恒达纺织有限公司')).to.equal('杭州******公司');
    expect(maskAddress('杭州市西湖区文三路100号')).to.equal('杭州市西湖区******');
  });

  it('hides secrets whatever their type', () => {
    expect(maskFields({ password: 'hunter2', nonce: 'abc', smsCode: 123456, headers: { authorization: 'Basic x' } }))
      .to.deep.equal({ password: '[secret]', nonce: '[secret]', smsCode: '[secret]', headers: { authorization: '[secret]' } });
  });

  it('finds personal numbers inside free text', () => {
    const text = maskText('customer 330106199001011234 called from 13812345678 about card 6222021234567890123');
    expect(text).to.not.match(/199001011234|12345678|2021234567890/);
    expect(text).to.include('330106********1234').and.to.include('138****5678');
  });

  it('leaves amounts, counts and customer numbers readable', () => {
    expect(maskFields({ amountFen: 12345, customers: 200, customerNo: '3300000000011', period: '2026-10' }))
      .to.deep.equal({ amountFen: 12345, customers: 200, customerNo: '3300000000011', period: '2026-10' });
  });

  it('cuts very long values and stops at a bounded depth', () => {
    expect((maskFields({ note: 'x'.repeat(10_000) }) as { note: string }).note.length).to.be.lessThan(2_100);
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 50; i += 1) deep = { next: deep };
    expect(JSON.stringify(maskFields(deep))).to.include('[deep]');
  });
});
