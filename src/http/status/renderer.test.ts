import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusSnapshot } from '../../status/index.ts';
import { pageThread } from './renderer.ts';

describe('the status page renderer', () => {
  it('fails a render it cannot do with a clear error, and renders again after', async () => {
    const broken = { incidents: 'not a list' } as unknown as StatusSnapshot;
    await assert.rejects(
      pageThread.render(broken, '', 'https://x.status.example.test'),
      /status page thread: /,
    );
    await assert.rejects(
      pageThread.render(broken, '', 'https://x.status.example.test'),
      /status page thread: /,
    );
  });
});
