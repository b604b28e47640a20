/**
 * A fetch's messages → one batch: each message is one record (NDJSON object or CSV record),
 * validated and written as a LOAD DATA line (`<declared columns' TSV>\t<stream>\t<seq>\n`)
 * straight into the batch's Buffers.
 *
 * NDJSON takes the file loader's byte path (RowEncoder.encodeJsonBytes): a flat, ASCII-only
 * object goes from the message's receive buffer into the TSV with no string, no JSON.parse and
 * no row object. Whatever that path does not decide (non-ASCII, escapes, nesting, a value that
 * needs a reason, bad JSON, invalid UTF-8) is decoded and goes through encodeJson as before, so
 * the rows and the quarantine reasons are the same as the text path's.
 */
import { TsvSink, writeDecimal } from '../batch-planner.js';
import { RowEncoder } from '../row-encoder.js';
import type { StreamColumn } from '../types.js';
import type { BrokerMessage } from './broker-source.js';
import type { BrokerBatch, BrokerReject } from './broker-writer.js';

export class BrokerEncoder {
  private readonly enc: RowEncoder;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private tail: Buffer = Buffer.alloc(0);
  private tailStream = '';

  constructor(
    columns: StreamColumn[],
    private readonly format: 'ndjson' | 'csv',
    private readonly maxLineBytes: number,
  ) {
    this.enc = new RowEncoder(columns);
    if (format === 'csv') this.enc.setCsvHeader(columns.map((c) => c.name).join(','));
  }

  /** The messages (any order, a redelivered one possibly twice) → a batch in sequence order. */
  encode(msgs: BrokerMessage[]): BrokerBatch {
    const enc = this.enc;
    const max = this.maxLineBytes;
    const stream = msgs[0]!.stream;
    if (stream !== this.tailStream) {
      this.tail = Buffer.from(`\t${stream}\t`, 'utf8');
      this.tailStream = stream;
    }
    const tail = this.tail;
    const tailLen = tail.length;
    const nd = this.format === 'ndjson';
    const sink = new TsvSink();
    const rejects: BrokerReject[] = [];
    const seqs: number[] = [];
    let rows = 0;
    const sorted = msgs.slice().sort((a, b) => a.seq - b.seq);
    const rowRoom = enc.codecs.length * 24 + tailLen + 24;
    let prev = -1;
    for (const m of sorted) {
      const seq = m.seq;
      if (seq === prev) continue; // the same message twice in one fetch (a redelivery): once is enough
      prev = seq;
      seqs.push(seq);
      const d = m.data;
      if (d.length > max) {
        rejects.push({ seq, raw: Buffer.from(d.buffer, d.byteOffset, max).toString('utf8'), reason: `line_too_long: ${d.length} bytes, the limit (max_line_bytes) is ${max}` });
        continue;
      }
      // a view of the receive buffer, not a copy
      const b = Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
      // one trailing "\n" or "\r\n" is the record's terminator, not part of it
      let e = b.length;
      if (e > 0 && b[e - 1] === 10) {
        e--;
        if (e > 0 && b[e - 1] === 13) e--;
      }
      if (nd && e > 0) {
        const c0 = b[0]!;
        if (c0 !== 32 && c0 !== 9 && c0 !== 13 && c0 < 128) {
          sink.reserve(e * 2 + rowRoom);
          const out = sink.buf;
          let o = enc.encodeJsonBytes(b, 0, e, out, sink.off);
          if (o >= 0) {
            o += tail.copy(out, o);
            o = writeDecimal(out, o, seq);
            out[o++] = 10;
            sink.off = o;
            rows++;
            continue;
          }
        }
      }
      let text: string;
      try {
        text = this.decoder.decode(b.subarray(0, e));
      } catch {
        rejects.push({ seq, raw: b.toString('utf8'), reason: 'bad_encoding: the message is not valid UTF-8' });
        continue;
      }
      if (text.trim() === '') {
        rejects.push({ seq, raw: text, reason: 'empty_message: the message has no record' });
        continue;
      }
      const tsv = nd ? enc.encodeJson(text) : enc.encodeCsv(text);
      if (tsv === null) rejects.push({ seq, raw: text, reason: enc.reason });
      else {
        sink.write(`${tsv}\t${stream}\t${seq}\n`);
        rows++;
      }
    }
    sink.flush();
    return { stream, chunks: sink.chunks, rows, rejects, seqs };
  }
}
