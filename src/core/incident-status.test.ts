import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incidentStatuses, isOpenIncident, openIncidentStatuses } from './incident-status.ts';

describe('incident status', () => {
  it('is open until resolved or closed with its post-mortem', () => {
    assert.deepEqual(
      incidentStatuses.map((status) => [status, isOpenIncident(status)]),
      [
        ['investigating', true],
        ['identified', true],
        ['monitoring', true],
        ['resolved', false],
        ['postmortem', false],
      ],
    );
  });

  it('gives queries the same open statuses as the function', () => {
    assert.deepEqual(openIncidentStatuses, ['investigating', 'identified', 'monitoring']);
  });
});
