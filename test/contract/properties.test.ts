import { expect } from 'chai';
import fc from 'fast-check';
import { SERVICES, type ServiceName } from '../../src/contract/operations.ts';
import { loadServiceContract, type MessageContract } from '../../src/contract/service-contract.ts';
import { XSI_NS, XmlRejected, parseXml, type XmlElement } from '../../src/contract/xml.ts';
import { instance, rich, seeded, toXml, type Random } from './instances.ts';

const MESSAGES: readonly MessageContract[] = (Object.keys(SERVICES) as ServiceName[]).flatMap((service) =>
  [...loadServiceContract(service).operations.values()].flatMap((op) => [op.request, op.response]));

const NASTY_TEXT = ['', ' ', '1e3', '0x10', 'NaN', '-0', '12abc', '19.505', '9'.repeat(40), '__proto__', '<x>', '&amp;', '２０２６',
  '2026-02-30', 'true', '\t', "'; DROP TABLE x;--", '𠮷'.repeat(300), '-1', '+', '.'];
const NAMES = ['__proto__', 'constructor', 'amount', 'customerNo', 'x', 'Pay', 'entry'];

function allNodes(node: XmlElement): XmlElement[] {
  return [node, ...node.children.flatMap(allNodes)];
}

function clone(node: XmlElement): XmlElement {
  return { uri: node.uri, local: node.local, attrs: new Map(node.attrs), children: node.children.map(clone), text: node.text };
}

const int = (rnd: Random, n: number): number => Math.floor(rnd() * n);

/** One random change of the kind an attacker or a careless client makes. */
function mutate(root: XmlElement, rnd: Random): XmlElement {
  const nodes = allNodes(root);
  const target = nodes[int(rnd, nodes.length)]!;
  const pickText = () => NASTY_TEXT[int(rnd, NASTY_TEXT.length)]!;
  const attrs = target.attrs as Map<string, string>;
  const child = target.children[int(rnd, Math.max(1, target.children.length))];
  switch (int(rnd, 9)) {
    case 0: target.text = pickText(); break;
    case 1: if (child) target.children.splice(target.children.indexOf(child), 1); break;
    case 2: if (child) target.children.splice(int(rnd, target.children.length + 1), 0, clone(child)); break;
    case 3: target.children.reverse(); break;
    case 4: target.children.push({ uri: target.uri, local: NAMES[int(rnd, NAMES.length)]!, attrs: new Map(), children: [], text: pickText() }); break;
    case 5: attrs.set(int(rnd, 2) === 0 ? `{${XSI_NS}}nil` : `{${XSI_NS}}type`, 'true'); break;
    case 6: return { ...root, uri: int(rnd, 2) === 0 ? 'urn:other' : root.uri, local: int(rnd, 2) === 0 ? `${root.local}x` : root.local };
    case 7: if (child) (child as { uri: string }).uri = 'urn:gridbill:types:v1'; break;
    default: target.children.push({ uri: target.uri, local: 'v', attrs: new Map(), children: [], text: '1' }); target.text += 'x';
  }
  return root;
}

describe('contract properties', () => {
  it('a random valid instance of any message validates, and validate → write → validate gives the same values', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: MESSAGES.length - 1 }), (seed, index) => {
      const message = MESSAGES[index]!;
      const node = instance(message.decl, seeded(seed), rich);
      const first = message.validate(parseXml(toXml(node)));
      expect(first.ok, `${message.name}: ${JSON.stringify(first.ok ? [] : first.violations)}`).to.equal(true);
      if (!first.ok) return;
      const written = message.write(first.value);
      const second = message.validate(parseXml(written));
      expect(second).to.deep.equal(first);
      if (second.ok) expect(message.write(second.value)).to.equal(written);
    }), { numRuns: 300 });
  });

  it('random mutations never throw: the answer is the values or violations with paths', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: MESSAGES.length - 1 }), fc.integer({ min: 1, max: 4 }), (seed, index, rounds) => {
      const message = MESSAGES[index]!;
      const rnd = seeded(seed);
      let node = instance(message.decl, rnd, rich);
      for (let i = 0; i < rounds; i += 1) node = mutate(node, rnd);
      const result = message.validate(node);
      if (result.ok) {
        expect(message.validate(parseXml(message.write(result.value)))).to.deep.equal(result);
        return;
      }
      expect(result.violations.length).to.be.greaterThan(0);
      for (const v of result.violations) expect(v.path.startsWith('/') && v.reason.length > 0, JSON.stringify(v)).to.equal(true);
      // the same tree as text: the reader refuses it or the validator answers, nothing else
      try {
        const again = message.validate(parseXml(toXml(node)));
        expect(again.ok).to.be.a('boolean');
      } catch (error) {
        expect(error).to.be.instanceOf(XmlRejected);
      }
    }), { numRuns: 500 });
  });
});
