/** Reading wrk's summary (bench/wrk-load.ts): the rate, the count and every kind of error. */
import { describe, expect, it } from '@jest/globals';
import { parseWrkOutput } from '../../bench/wrk-load.ts';

const summary = (extra: string) => `Running 5s test @ http://127.0.0.1:4100
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   373.25us    1.48ms  44.02ms   98.05%
    Req/Sec    67.77k    13.18k   78.26k    90.00%
  336539 requests in 5.00s, 124.53MB read
${extra}Requests/sec:  67302.19
Transfer/sec:     24.90MB
`;

describe("wrk's summary", () => {
  it('gives the rate and the request count, with no errors when it names none', () => {
    expect(parseWrkOutput(summary(''))).toEqual({
      perSecond: 67302.19,
      requests: 336539,
      errors: 0,
    });
  });

  it('counts non-2xx answers and every socket error', () => {
    const result = parseWrkOutput(
      summary(
        '  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx or 3xx responses: 10\n',
      ),
    );
    expect(result.errors).toBe(20);
  });

  it('refuses output it cannot read rather than report a rate of nothing', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(
      /could not read/,
    );
  });
});
