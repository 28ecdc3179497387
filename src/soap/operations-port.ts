// OperationsService (wsdl/OperationsService.wsdl): GetChannelStatus, per registered channel its
// calls and failures of today (the business day, UTC+8, from 00:00) and when it was last seen.
// The counts are the platform's, summed over every core (channel-activity.ts), this core's not
// yet written included. GetChannelAssessment, GetTerminalStatus and ListAlerts come later (the
// endpoint answers UNAVAILABLE).

import { businessDate, businessTimestamp } from '../clock.ts';
import type { Store } from '../store/database.ts';
import { channelStatus, type ChannelActivity } from '../usecases/channel-activity.ts';
import type { OperationContext, ServicePort } from './soap-endpoint.ts';
import type { Args, ServiceContract } from './service-contract.ts';
import { opt, WIRE } from './wire-values.ts';

const LABEL_CHARS_MAX = 200;

/** A channel's name as t:Label: names are registered by staff, but markup never goes out. */
function label(name: string): string {
  return [...name.replace(/[\p{Cc}<>]/gu, ' ')].slice(0, LABEL_CHARS_MAX).join('');
}

export function operationsPort(contract: ServiceContract, deps: { readonly store: Store; readonly activity: ChannelActivity }): ServicePort {
  return {
    contract,
    operations: {
      async GetChannelStatus(args: Args, context: OperationContext) {
        const now = new Date(context.now);
        const day = businessDate(now);
        const channels = await channelStatus(deps.store, deps.activity, { day, channelCode: opt(args, 'channelCode', WIRE.channelCode) });
        return [
          ['since', `${day}T00:00:00.000+08:00`],
          ...channels.map((c) => ['channel', [
            ['channelCode', c.code],
            ['name', label(c.name)],
            ['enabled', String(c.enabled)],
            ['calls', String(c.calls)],
            ['failures', String(c.failures)],
            ['lastSeen', c.lastSeen === null ? undefined : businessTimestamp(new Date(c.lastSeen))],
          ]] as const),
        ];
      },
    },
  };
}
