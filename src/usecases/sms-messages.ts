// The SMS texts gridbill sends to customers (zh-CN, the way a power-supply company writes them),
// and the one way to send one: a row in the outbox, written in the caller's transaction.

import { LIMITS } from '../limits.ts';
import type { Store } from '../store/database.ts';
import { insertSms } from '../store/sms-outbox.repository.ts';
import type { SmsTemplate } from '../store/sms-outbox.table.ts';

const SIGNATURE = '【网上营业厅】';
const CODE_MINUTES = Math.round(LIMITS.loginCodeLifetimeMs / 60_000);

export type SmsMessage =
  | { readonly template: 'login-code'; readonly code: string }
  | { readonly template: 'phone-change-code'; readonly code: string }
  | { readonly template: 'phone-changed'; readonly maskedNewPhone: string }
  | { readonly template: 'online-access-opened'; readonly customerNo: string; readonly initialPassword: string | undefined }
  | { readonly template: 'balance-alarm'; readonly customerNo: string; readonly level: 1 | 2; readonly balanceYuan: string }
  | { readonly template: 'cutoff-notice'; readonly customerNo: string; readonly balanceYuan: string }
  | { readonly template: 'disconnected'; readonly customerNo: string }
  | { readonly template: 'reconnected'; readonly customerNo: string };

export function smsText(message: SmsMessage): string {
  switch (message.template) {
    case 'login-code':
      return `${SIGNATURE}您的登录验证码为${message.code}，${CODE_MINUTES}分钟内有效。工作人员不会向您索取验证码，请勿告诉他人。`;
    case 'phone-change-code':
      return `${SIGNATURE}您正在更换绑定手机号，验证码为${message.code}，${CODE_MINUTES}分钟内有效。如非本人操作，请忽略本短信。`;
    case 'phone-changed':
      return `${SIGNATURE}您的户号绑定手机号已变更为${message.maskedNewPhone}。如非本人操作，请立即致电95598。`;
    case 'online-access-opened':
      return message.initialPassword === undefined
        ? `${SIGNATURE}户号${message.customerNo}已开通网上营业厅，请使用您设置的密码和短信验证码登录。`
        : `${SIGNATURE}户号${message.customerNo}已开通网上营业厅，初始密码为${message.initialPassword}，请登录后尽快修改密码。`;
    case 'balance-alarm':
      return `${SIGNATURE}户号${message.customerNo}电费可用余额为${message.balanceYuan}元，已低于${message.level === 1 ? '一级' : '二级'}预警值，请及时交费。`;
    case 'cutoff-notice':
      return `${SIGNATURE}户号${message.customerNo}电费可用余额为${message.balanceYuan}元，已欠费。请尽快交费，逾期未交将依规停电。`;
    case 'disconnected':
      return `${SIGNATURE}户号${message.customerNo}因欠费已停电。交费后将自动复电。`;
    case 'reconnected':
      return `${SIGNATURE}户号${message.customerNo}已交费，已为您恢复供电。`;
    default: {
      const unknown: never = message;
      throw new Error(`unknown SMS template ${JSON.stringify(unknown)}`);
    }
  }
}

export async function queueSms(
  tx: Store, sms: { readonly phone: string; readonly customerId: number | null; readonly message: SmsMessage; readonly at: string },
): Promise<void> {
  const template: SmsTemplate = sms.message.template;
  await insertSms(tx, {
    phone: sms.phone, customer_id: sms.customerId, template, body: smsText(sms.message), status: 'pending', created_at: sms.at, sent_at: null,
  });
}
