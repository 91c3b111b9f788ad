// Every failure reported by mqttws is an MqttError.

/**
 * An MQTT or connection error.
 *
 * `code` names the failure: the core's error names (`connection_refused`, `queue_full`,
 * `request_timeout`, `session_closed`, `invalid_topic_name`, ...), POSIX-style names for the
 * network (`ECONNREFUSED`: the WebSocket could not open; `ECONNRESET`: it closed abnormally),
 * and `invalid_url` / `no_websocket` for arguments. `reasonCode` is the MQTT reason code when
 * the broker gave one (e.g. 0x87 Not authorized on a refused CONNECT, 0x86 Bad user name or
 * password, or a PUBACK/SUBACK failure).
 */
export class MqttError extends Error {
  /** Machine-readable name of the failure. */
  readonly code: string;
  /** The broker's reason code, when the broker gave one. */
  readonly reasonCode?: number;

  constructor(message: string, code: string, reasonCode?: number) {
    super(message);
    this.name = 'MqttError';
    this.code = code;
    if (reasonCode !== undefined) this.reasonCode = reasonCode;
  }
}

/**
 * An MqttError from a core error, with the broker's reason code if any; the MqttError the
 * error carries, if it carries one.
 */
export function toMqttError(e: { code: string; message: string; error?: MqttError },
                            reasonCode?: number, reasonString?: string): MqttError {
  if (e.error) return e.error;  // the application's own (thrown by beforeConnect)
  let message = e.message;
  if (reasonCode !== undefined) message += ` (reason code 0x${reasonCode.toString(16)})`;
  if (reasonString) message += `: ${reasonString}`;
  return new MqttError(message, e.code, reasonCode);
}
