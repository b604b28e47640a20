/**
 * What the broker loader needs from a message broker. A source hands out messages that stay
 * unacknowledged until the loader has committed them, and redelivers what a dead loader
 * held. NATS JetStream is `nats-source.ts`; a Kafka source would be one more implementation
 * (see src/stream/README.md, "Broker source").
 */

/** One message: where it sits in the broker (the bronze key) and its payload. */
export interface BrokerMessage {
  /** `_source_stream`: the stream (Kafka: topic/partition) the sequence number belongs to. */
  stream: string;
  /** `_source_seq`: unique and stable within `stream`, the same on every redelivery. */
  seq: number;
  data: Uint8Array;
  /** Opaque handle for ack/nak. */
  ref: unknown;
}

export interface BrokerBacklog {
  /** Messages not delivered to any loader yet. */
  pending: number;
  /** Messages delivered and not acknowledged yet (by any loader). */
  unacked: number;
}

export interface BrokerSource {
  /** Human-readable description for the start line (no credentials). */
  readonly describe: string;
  /** The `_source_stream` of its messages (one stream per bronze table). */
  readonly stream: string;
  /** Connects (and sets up the shared consumer); throws a StreamLoadError naming the fix. */
  open(): Promise<void>;
  /** Up to `max` messages, waiting at most `waitMs` for the first ones. */
  fetch(max: number, waitMs: number): Promise<BrokerMessage[]>;
  /** Done with these (their batch is committed): the broker forgets them. */
  ack(msgs: BrokerMessage[]): Promise<void>;
  /** Not committed (stopping): hand them to another loader now rather than after the ack wait. */
  release(msgs: BrokerMessage[]): void;
  backlog(): Promise<BrokerBacklog>;
  close(): Promise<void>;
}
