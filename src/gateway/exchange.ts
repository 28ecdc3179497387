// One request's way through the pipeline: what arrived, and what each stage found out, filled in
// stage by stage (the envelope's version after transport, the operation after route, the channel
// after authenticate, the validated value after validate …). Stages read what earlier stages
// wrote; nothing here is shared between requests.

import type { OperationContract, ServiceContract, SoapVersion } from '../contract/service-contract.ts';
import type { ComplexValue } from '../contract/schema.ts';
import type { UsernameToken } from '../contract/ws-security.ts';
import type { XmlElement } from '../contract/xml.ts';
import type { ChannelPolicy, ExternalService } from './policy.ts';
import type { RequestHead } from './transport.ts';

/** The TLS client certificate of the connection, as node:tls reports it (G2's mutual TLS fills it). */
export interface PeerCertificate {
  /** SHA-256 fingerprint, `AB:CD:…` upper case. */
  readonly fingerprint256: string;
  /** Verified against the platform CA (and its revocation list) by the TLS layer. */
  readonly authorized: boolean;
  /** Under mutual TLS: the channel the certificate names (its CN), or why it is refused (tls.ts PeerRefusal). */
  readonly channel?: string;
  readonly refusal?: string;
}

export interface GatewayRequest extends RequestHead {
  readonly service: ExternalService;
  /** The body as received (possibly compressed), at most LIMITS.httpBodyBytesMax bytes. */
  readonly rawBody: Buffer;
  /** The body went past LIMITS.httpBodyBytesMax while it was read (what was read is dropped). */
  readonly bodyTooLarge?: boolean;
  readonly peerCertificate?: PeerCertificate;
  readonly correlationId: string;
}

export interface Exchange {
  readonly request: GatewayRequest;
  readonly contract: ServiceContract;
  readonly startedMs: number;
  version?: SoapVersion;
  soapAction?: string;
  /** The envelope's bytes, expanded when the body was compressed. */
  body?: Buffer;
  root?: XmlElement;
  header?: XmlElement;
  operationElement?: XmlElement;
  operation?: OperationContract;
  token?: UsernameToken;
  channel?: ChannelPolicy;
  value?: ComplexValue;
  /** Undoes what behaviour counted (the day's amount) when the core did not take the request. */
  release?: () => void;
  /** The core's answer as it came back, for the respond stage. */
  coreAnswer?: { readonly status: number; readonly body: Buffer };
  /** The answer to the caller, once respond has written it. */
  answer?: { readonly status: number; readonly xml: string; readonly faultCode?: string };
}
