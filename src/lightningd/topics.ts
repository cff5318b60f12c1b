// Core Lightning's notification topics (v26.06), and which wrapping each
// message carries. Custom notifications of other plugins are topics too; they
// are not listed here because any name may be one.

// Built-in topics of lightningd, plus those of the plugins it ships (xpay's
// pay_part_*, pay's pay_success / pay_failure / channel_hint_update).
export const NOTIFICATION_TOPICS = [
  'channel_opened', 'channel_open_failed', 'channel_state_changed', 'connect', 'disconnect',
  'custommsg', 'invoice_payment', 'invoice_creation', 'warning', 'log', 'forward_event',
  'sendpay_success', 'sendpay_failure', 'coin_movement', 'balance_snapshot', 'block_added',
  'openchannel_peer_sigs', 'onionmessage_forward_fail', 'plugin_started', 'plugin_stopped',
  'deprecated_oneshot', 'shutdown', 'pay_part_start', 'pay_part_end',
] as const;

// `"*"` never includes `log`: a plugin gets it only by naming it.
export const LOG_TOPIC = 'log';

// Releases before v23.08 sent block_added's fields under "block".
export const LEGACY_WRAPPERS: Readonly<Record<string, string>> = { block_added: 'block' };
