import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createOutageGate } from './outage-gate.ts';

/** A database that is up or down on command, and counts the pings it got. */
function fakeDatabase() {
  const db = { up: true, pings: 0 };
  const ping = async () => {
    db.pings++;
    if (!db.up) throw new Error('select on clients failed (PGRST000): Database connection error');
  };
  return { db, ping };
}

function setup(options: { closing?: boolean } = {}) {
  const { db, ping } = fakeDatabase();
  const calls: string[] = [];
  const changes: boolean[] = [];
  const gate = createOutageGate({
    ping,
    pause: async () => void calls.push('pause'),
    resume: async () => void calls.push('resume'),
    isClosing: () => options.closing ?? false,
    logger: pino({ level: 'silent' }),
    probe: { minMs: 1, maxMs: 4 },
    onChange: (up) => changes.push(up),
  });
  return { db, gate, calls, changes };
}

describe('createOutageGate', () => {
  it('an error that only looked like an outage (the ping answers) is not one: nothing paused', async () => {
    const { gate, calls, db } = setup();
    expect(await gate.confirm(new Error('fetch failed'))).toBe(false);
    expect(gate.isDown()).toBe(false);
    expect(calls).toEqual([]);
    expect(db.pings).toBe(1);
  });

  it('a confirmed outage pauses once for every job asking, probes with backoff, resumes at the first answer', async () => {
    const { gate, calls, db, changes } = setup();
    db.up = false;
    const answers = await Promise.all(Array.from({ length: 10 }, () => gate.confirm(new Error('PGRST000'))));
    expect(answers.every(Boolean)).toBe(true);
    expect(db.pings).toBe(1); // one ping confirmed it for all ten
    expect(gate.state()).toMatchObject({ database: 'down', outages: 1 });
    expect(gate.state().reason).toContain('PGRST000');
    expect(await gate.confirm(new Error('again'))).toBe(true);
    expect(calls).toEqual(['pause']);
    const up = gate.whenUp();
    // Probes keep failing while the database is down: still down, no resume.
    while (db.pings < 4) await new Promise((resolve) => setImmediate(resolve));
    expect(gate.isDown()).toBe(true);
    expect(calls).toEqual(['pause']);
    db.up = true;
    await up;
    expect(gate.state()).toMatchObject({ database: 'up', since: null, outages: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['pause', 'resume']);
    expect(changes).toEqual([false, true]);
    gate.close();
  });

  it('does not resume workers of an app that is closing', async () => {
    const { gate, calls, db } = setup({ closing: true });
    db.up = false;
    await gate.confirm(new Error('down'));
    db.up = true;
    await gate.whenUp();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['pause']);
    gate.close();
  });
});
