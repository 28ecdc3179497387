import { expect } from 'chai';
import { searchCustomerRows } from '../../src/store/console-view.repository.ts';
import { insertCustomer } from '../../src/store/customer.repository.ts';
import { describeOnEveryStore } from '../support/stores.ts';

describeOnEveryStore('console customer search', (h) => {
  before(async () => {
    const base = {
      category: 'residential', voltage: 'below-1kv', phone: '13812345678', id_number: null, credit_code: null, households: 1, tariff_code: 't',
      time_of_use: 0, capacity_kva: null, contract_demand_kw: null, basic_basis: null, pf_standard: null, status: 'active', created_at: 'now',
    } as const;
    await insertCustomer(h.store, { ...base, customer_no: '3301000000011', name: '张三', address: '西湖区 100% 路_1 号' });
    await insertCustomer(h.store, { ...base, customer_no: '3302000000012', name: '李四', address: '滨江区 1000 路' });
  });

  it('matches a number prefix, or the text anywhere in name, address or phone', async () => {
    expect((await searchCustomerRows(h.store, '3301', 10)).map((c) => c.customer_no)).to.deep.equal(['3301000000011']);
    expect((await searchCustomerRows(h.store, '李', 10)).map((c) => c.customer_no)).to.deep.equal(['3302000000012']);
    expect((await searchCustomerRows(h.store, '1234', 10))).to.have.length(2);
  });

  it('takes LIKE wildcards in the text literally', async () => {
    expect((await searchCustomerRows(h.store, '100%', 10)).map((c) => c.customer_no)).to.deep.equal(['3301000000011']);
    expect((await searchCustomerRows(h.store, '路_', 10)).map((c) => c.customer_no)).to.deep.equal(['3301000000011']);
    expect(await searchCustomerRows(h.store, '%%', 10)).to.deep.equal([]);
    expect((await searchCustomerRows(h.store, '\\', 10))).to.deep.equal([]);
  });
});
