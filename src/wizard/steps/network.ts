/** Network: DHCP or static addresses (network, gateway, DNS, first address, interface). */
import { findArchitecture } from '../../architectures/index.js';
import { formatIPv4, parseCidr, type Network } from '../../net/ipv4.js';
import { currentValue, isGiven, setAnswer, suggestion } from '../context.js';
import { isDhcp, presetOf, textQuestion, type Question } from '../question.js';

const list = (text: string): string[] | undefined => {
  const items = text.split(/[\s,]+/).filter((s) => s !== '');
  return items.length ? items : undefined;
};

const dhcp: Question = {
  id: 'network.dhcp',
  section: 'network',
  applies: (ctx) => !isGiven(ctx, 'network.dhcp'),
  async ask(ctx) {
    const laptop = findArchitecture(presetOf(ctx))?.localVm === true;
    const chosen = await ctx.prompts.select<boolean>({
      message: 'How do the machines get their addresses?',
      choices: [
        { name: 'Static addresses planned by flatcar-architect', value: false, description: 'etcd members need fixed addresses; the static initial cluster uses them' },
        { name: 'DHCP', value: true, description: laptop ? 'usual for a VM on your computer' : 'etcd members then find each other by a discovery URL or by host name' },
      ],
      default: Boolean(suggestion(ctx, 'network.dhcp')),
    });
    setAnswer(ctx, 'network.dhcp', chosen);
  },
};

const statics = (ctx: Parameters<Question['applies']>[0]) => !isDhcp(ctx);

/** Larger networks from the same base: offered when the current one has no room for every machine. */
function larger(cidr: unknown): string[] {
  const net = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
  if (!net || 'error' in net) return [];
  const out: string[] = [];
  for (let len = net.prefixLength - 1; len >= 16; len--) {
    const size = 2 ** (32 - len);
    out.push(`${formatIPv4(Math.floor((net as Network).base / size) * size)}/${len}`);
  }
  return out;
}

export const NETWORK: Question[] = [
  dhcp,
  textQuestion(
    'etcd.discovery',
    'network',
    'etcd discovery URL (leave empty: members find each other by host name):',
    "An https:// URL from an etcd discovery service, or empty to use the machines' host names.",
    { when: (ctx) => isDhcp(ctx) && findArchitecture(presetOf(ctx))?.runsEtcd !== false },
  ),
  textQuestion('network.cidr', 'network', 'Network (CIDR):', "The machines' network as address/prefix length, like 192.168.7.0/24.", {
    when: statics,
    extra: (ctx) => larger(currentValue(ctx, 'network.cidr')),
  }),
  textQuestion('network.gateway', 'network', 'Gateway:', "The router's address inside that network (usually .1).", { when: statics }),
  textQuestion('network.dns', 'network', 'DNS servers (comma-separated):', 'One or more IPv4 addresses of DNS servers, separated by commas.', { when: statics, parse: list }),
  textQuestion('network.firstAddress', 'network', 'First machine address:', 'Machines get consecutive addresses from here, skipping the gateway and DNS servers.', {
    when: statics,
  }),
  textQuestion(
    'network.interface',
    'network',
    'Interface name or globs (networkd [Match] Name=):',
    'The network interface to configure, by name or space-separated globs, like eth0 or "en* eth*".',
    { when: (ctx) => statics(ctx) && !isGiven(ctx, 'network.macPrefix') },
  ),
];
