import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

// crypto.hash (Node 20.12+) is a one-shot digest, several times cheaper than createHash for short inputs.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
