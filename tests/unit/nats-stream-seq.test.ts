import { describe, expect, it } from 'vitest';
import { streamSeq } from '../../src/stream/broker/nats-source.js';

describe('streamSeq: the stream sequence of a JetStream ack subject', () => {
  it('reads the 6th token of the short form and the 8th of the form with domain and account hash', () => {
    expect(streamSeq('$JS.ACK.EVENTS.ft_bronze.1.4211.4200.1733400000000000000.17')).toBe(4211);
    expect(streamSeq('$JS.ACK.hub.ACCHASH.EVENTS.ft_bronze.2.98765.98000.1733400000000000000.0.tok')).toBe(98765);
    expect(streamSeq('$JS.ACK.hub.ACCHASH.EVENTS.ft_bronze.2.98765.98000.1733400000000000000.0.tok.more')).toBe(98765);
  });

  it('refuses anything else', () => {
    for (const s of ['', '_INBOX.abc', '$JS.ACK.EVENTS.c.1.2.3', '$JS.NAK.EVENTS.ft_bronze.1.5.5.1.0', '$JS.ACK.EVENTS.ft_bronze.1.x5.4200.1.17', '$JS.ACK.EVENTS.ft_bronze.1..4200.1.17', '$JS.ACK.EVENTS.ft_bronze.1.0.4200.1.17', '$JS.ACK.EVENTS.ft_bronze.1.99999999999999999.4200.1.17']) {
      expect(streamSeq(s), s).toBeNull();
    }
  });
});
