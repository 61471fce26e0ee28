import { describe, expect, it } from 'vitest';
import { AuditWarningTally, type TenantAuditLine, type TenantAuditSender } from './tenant-audit.js';

const line = (i: number): TenantAuditLine => ({
  action: 'revoke-cmk',
  orgId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  keyVersion: 1,
  outcome: 'ok',
});

/** A sender whose peer gives each send's cause in turn (the network's answers, as the transport words them). */
function senderSaying(causes: (string | undefined)[]): TenantAuditSender {
  let call = 0;
  return {
    destination: 'tcp://syslog.example.org:514',
    remedy: 'Check the System logs page.',
    send: async (lines) => {
      const reason = causes[call++ % causes.length];
      return reason === undefined ? undefined : { lines: lines.length, reason };
    },
  };
}

describe('audit lines not sent to syslog', () => {
  it('a thousand sends refused alike are one warning with their count, naming the URL and the cause, no org', async () => {
    const tally = new AuditWarningTally();
    const audit = senderSaying(['syslog.example.org:514 (10.0.0.5) refused the connection.', undefined]);
    for (let i = 0; i < 2000; i++) await tally.send(audit, [line(i)]);
    expect(tally.warnings()).toEqual([
      {
        code: 'SYSLOG_UNREACHABLE',
        lines: 1000,
        message:
          "The changes are saved and recorded in the key database's audit log, but 1000 audit lines did not reach syslog at tcp://syslog.example.org:514: syslog.example.org:514 (10.0.0.5) refused the connection. Check the System logs page.",
      },
    ]);
    expect(JSON.stringify(tally.warnings())).not.toMatch(/00000000-0000-4000/);
  });

  it('a peer failing a new way each time: five causes named, the rest counted together; a throwing sender counts every line', async () => {
    const tally = new AuditWarningTally();
    const audit = senderSaying(Array.from({ length: 50 }, (_, i) => `banner ${i}`));
    for (let i = 0; i < 50; i++) await tally.send(audit, [line(i), line(i + 100)]);
    const warnings = tally.warnings();
    expect(warnings.map((w) => w.lines)).toEqual([2, 2, 2, 2, 2, 90]);
    expect(warnings[0]!.message).toMatch(/^The changes are saved .* 2 audit lines .*: banner 0\. Check/);
    expect(warnings[5]!.message).toMatch(
      /: other causes than the ones named above\. Check the System logs page\.$/,
    );

    const broken = new AuditWarningTally();
    await broken.send({ ...audit, send: () => Promise.reject(new Error('socket closed')) }, [line(1)]);
    expect(broken.warnings()).toEqual([
      expect.objectContaining({ lines: 1, message: expect.stringMatching(/: socket closed\. Check/) }),
    ]);
    await broken.send(undefined, [line(2)]);
    expect(broken.warnings()[0]!.lines).toBe(1);
  });

  it('a peer that makes each send wait for a timeout is tried until 15 s went on failures, then the run stops trying and counts the rest', async () => {
    let clock = 0;
    let tried = 0;
    const silent: TenantAuditSender = {
      destination: 'tcp://10.0.0.9:514',
      remedy: 'Check the System logs page.',
      send: async (lines) => {
        tried++;
        clock += 5000; // each send waits out the 5 s connect deadline
        return { lines: lines.length, reason: 'Connecting to 10.0.0.9:514 took longer than 5 s.' };
      },
    };
    const tally = new AuditWarningTally({ now: () => clock });
    for (let i = 0; i < 300; i++) await tally.send(silent, [line(i)]);
    expect(tried).toBe(3);
    expect(tally.warnings()).toEqual([
      expect.objectContaining({ lines: 3, message: expect.stringMatching(/took longer than 5 s\. Check/) }),
      expect.objectContaining({
        lines: 297,
        message: expect.stringMatching(
          /297 audit lines did not reach syslog at tcp:\/\/10\.0\.0\.9:514: earlier sends to it in this run failed for 15 s, so hds-setup stopped trying\. Check the System logs page\.$/,
        ),
      }),
    ]);
    // Quick refusals (a closed port) cost next to nothing: every send is still tried.
    const quick = new AuditWarningTally();
    const refusing = senderSaying(['10.0.0.9:514 refused the connection.']);
    for (let i = 0; i < 500; i++) await quick.send(refusing, [line(i)]);
    expect(quick.warnings()).toEqual([expect.objectContaining({ lines: 500 })]);
  });
});
