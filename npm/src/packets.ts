// Public data shapes, named as in MQTT.js (mqtt-packet) so code ports over unchanged.

import type { MqttPayload, Payload } from './payload.js';

export type QoS = 0 | 1 | 2;

/** A user property value: one string, or several for a repeated name (in wire order). */
export type UserProperties = { [name: string]: string | string[] };

/** MQTT 5 properties. Each packet type allows a subset (MQTT 5, section 2.2.2.2). */
export interface Properties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array | string;
  subscriptionIdentifier?: number | number[];
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Uint8Array | string;
  requestProblemInformation?: boolean;
  willDelayInterval?: number;
  requestResponseInformation?: boolean;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQoS?: number;
  retainAvailable?: boolean;
  userProperties?: UserProperties;
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifiersAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
}

/** Properties as received: binary values are always Uint8Array. */
export interface ReceivedProperties extends Properties {
  correlationData?: Uint8Array;
  authenticationData?: Uint8Array;
}

/** A received PUBLISH. The topic is always the full name (topic aliases are resolved). */
export interface IPublishPacket {
  cmd: 'publish';
  topic: string;
  /** The message's bytes: a Uint8Array whose toString() decodes UTF-8. */
  payload: MqttPayload;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  properties?: ReceivedProperties;
}

/** The CONNACK that accepted the connection, with the limits in force for it. */
export interface IConnackPacket {
  cmd: 'connack';
  sessionPresent: boolean;
  /** 0 (success): refusals are reported as `error` events instead. */
  reasonCode: number;
  /** MQTT 3.1.1's name for reasonCode. */
  returnCode: number;
  properties?: ReceivedProperties;
}

/** The broker's DISCONNECT (MQTT 5). */
export interface IDisconnectPacket {
  cmd: 'disconnect';
  reasonCode: number;
  properties?: { reasonString?: string; serverReference?: string };
}

/** An AUTH packet (MQTT 5 enhanced authentication), as received and as sent. */
export interface IAuthPacket {
  cmd: 'auth';
  /** 0x18 Continue authentication, 0x19 Re-authenticate, 0x00 Success. */
  reasonCode: number;
  properties?: ReceivedProperties;
}

/** The control packet types, by MQTT.js's `cmd` names. */
export type PacketCmd =
  | 'connect' | 'connack' | 'publish' | 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'
  | 'subscribe' | 'suback' | 'unsubscribe' | 'unsuback' | 'pingreq' | 'pingresp'
  | 'disconnect' | 'auth';

/**
 * Any control packet as `packetsend`/`packetreceive` report it: whole, in MQTT.js's
 * (mqtt-packet's) shape — e.g. subscribe `{ messageId, subscriptions }`, suback
 * `{ messageId, granted }`, publish as the `message` event's packet.
 */
export interface IPacket {
  cmd: PacketCmd;
  messageId?: number;
  [field: string]: unknown;
}

/** The acknowledgement that completed a QoS 1 or 2 publish. */
export interface IPubackPacket {
  cmd: 'puback' | 'pubcomp';
  reasonCode: number;
  properties?: { reasonString?: string };
}

/** An UNSUBSCRIBE's completion: one reason code per filter (3.1.1: all 0). */
export interface IUnsubackPacket {
  cmd: 'unsuback';
  reasonCode: number[];
  properties?: { reasonString?: string };
}

/** Options of one subscription (MQTT.js names). */
export interface ISubscriptionOptions {
  /** Maximum QoS (default 0). */
  qos?: QoS;
  /** No Local (MQTT 5). */
  nl?: boolean;
  /** Retain As Published (MQTT 5). */
  rap?: boolean;
  /** Retain Handling 0..2 (MQTT 5). */
  rh?: 0 | 1 | 2;
}

/** A subscription's outcome: the granted QoS, or a failure reason code (>= 0x80). */
export interface ISubscriptionGrant {
  topic: string;
  qos: number;
}

/** Called with each message that matches a subscription's filters. */
export type MessageHandler = (topic: string, payload: MqttPayload, packet: IPublishPacket) => void;

/** {filter: options} form of subscribe(). */
export type ISubscriptionMap = { [filter: string]: ISubscriptionOptions };

export interface IClientSubscribeOptions extends ISubscriptionOptions {
  /** SUBSCRIBE properties (MQTT 5), e.g. subscriptionIdentifier, userProperties. */
  properties?: Properties;
  /**
   * Called for every message matching the filters of this subscribe call (in addition to
   * the client's `message` event), until they are unsubscribed. MQTT.js has no equivalent.
   */
  handler?: MessageHandler;
}

export interface IClientPublishOptions {
  qos?: QoS;
  retain?: boolean;
  /** PUBLISH properties (MQTT 5). */
  properties?: Properties;
}

export interface IClientRequestOptions extends IClientPublishOptions {
  /** Milliseconds to wait for the response (default 30000). */
  timeout?: number;
}

/** The answer to {@link MqttClient.request}. */
export interface IResponse {
  topic: string;
  payload: MqttPayload;
  packet: IPublishPacket;
}

export interface IClientUnsubscribeOptions {
  properties?: Properties;
}

export interface IDisconnectOptions {
  /** DISCONNECT reason code (MQTT 5; default 0 normal disconnection). */
  reasonCode?: number;
  properties?: Properties;
}

export type { Payload, PayloadEncoding } from './payload.js';
