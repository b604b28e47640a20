/** The `nats:` block of a loader: names checked, credentials only through environment variables. */
import { describe, expect, it } from 'vitest';
import { parseNatsConfig } from '../../src/stream/broker/nats-config.js';
import { parseDuration } from '../../src/stream/options.js';

const parse = (raw: unknown, env: NodeJS.ProcessEnv = {}) => parseNatsConfig(raw, 'bronze.events', parseDuration, env);

describe('loader.nats', () => {
  it('reads servers, stream, subject, durable and ack_wait, with defaults', () => {
    expect(parse({ servers: 'nats://h:4222', stream: 'EVENTS' })).toMatchObject({ servers: ['nats://h:4222'], stream: 'EVENTS', subject: undefined, durable: 'ft_loader', ackWaitMs: 30_000 });
    expect(parse({ servers: ['nats://a', 'nats://b'], stream: 'EV', subject: 'events.>', durable: 'bronze', ack_wait: '5s' })).toMatchObject({ servers: ['nats://a', 'nats://b'], subject: 'events.>', durable: 'bronze', ackWaitMs: 5000 });
  });

  it('takes credentials from the environment variables it names', () => {
    const o = parse({ servers: ['nats://h'], stream: 'EV', user_env: 'U', password_env: 'P', token_env: 'T', creds_env: 'C' }, { U: 'u', P: 'p', T: 't', C: '/x.creds' });
    expect(o).toMatchObject({ user: 'u', password: 'p', token: 't', credsFile: '/x.creds' });
  });

  it('refuses credentials written in the YAML, unset variables, unknown keys and bad names', () => {
    expect(() => parse({ servers: ['nats://h'], stream: 'EV', password: 'x' })).toThrow(/"password" is not read from the YAML; .*password_env/);
    expect(() => parse({ servers: ['nats://h'], stream: 'EV', password_env: 'NOPE' })).toThrow(/password_env names the environment variable NOPE, which is not set/);
    expect(() => parse({ servers: ['nats://h'], stream: 'EV', strem: 'x' })).toThrow(/unknown key "strem"/);
    expect(() => parse({ servers: [], stream: 'EV' })).toThrow(/servers must list/);
    expect(() => parse({ servers: ['nats://h'], stream: 'a.b' })).toThrow(/stream must be a name/);
    expect(() => parse({ servers: ['nats://h'], stream: 'EV', ack_wait: '100ms' })).toThrow(/ack_wait must be at least 1s/);
    expect(() => parse('nats://h')).toThrow(/must be a mapping/);
  });
});
