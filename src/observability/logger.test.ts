import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { createLogger } from './logger.ts';

function capture(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

it('writes JSON lines and redacts secret fields wherever they sit', () => {
  const output = capture();
  const logger = createLogger({ level: 'info', destination: output.stream });
  logger.info(
    {
      password: 'pw-top-level',
      user: { name: 'ada', token: 'tok-nested' },
      request: { headers: { authorization: 'Bearer abc-deep' } },
      config: { masterKey: 'mk-nested' },
    },
    'login',
  );
  const line = JSON.parse(output.text()) as Record<string, unknown>;
  assert.equal(line.msg, 'login');
  assert.equal(line.service, 'roost');
  assert.equal(line.password, '[redacted]');
  assert.deepEqual(line.user, { name: 'ada', token: '[redacted]' });
  for (const secret of ['pw-top-level', 'tok-nested', 'abc-deep', 'mk-nested']) {
    assert.ok(!output.text().includes(secret), `${secret} is not logged`);
  }
});
