/**
 * The time reader on its own: parse time per phrase over 10,000 readings of the hand-written
 * corpus (each row in each of its zones, at its pinned "now"), and how the corpus is read.
 */
import { DateTime } from 'luxon';
import { parseWhen } from '../src/domain/when.js';
import { CORPUS, CORPUS_ZONES, judge, judgeZone, ZONE_ROWS } from '../test/domain/when-corpus.js';

const READINGS = 10_000;
const WARM_UP = 2_000;

export interface WhenBench {
  phrases: number;
  readings: number;
  /** Wall-clock microseconds per parseWhen call. */
  micros: { p50: number; p99: number; max: number };
  /**
   * The best of three back-to-back calls on the same reading: what the phrase costs, without the
   * time a busy machine's scheduler (or a garbage collection) happened to take during one call.
   */
  bestOfThree: { p50: number; p99: number; max: number };
  /** Each row in each zone: read right, refused (a meaning exists), read wrong. */
  corpus: { rows: number; right: number; refused: number; wrong: number };
}

export function benchWhen(): WhenBench {
  const cases = [
    ...CORPUS.flatMap((c) =>
      c.rows.flatMap(([text]) => CORPUS_ZONES.map((zone) => ({ text, zone, now: c.now }))),
    ),
    ...ZONE_ROWS.flatMap(([text]) => CORPUS_ZONES.map((zone) => ({ text, zone, now: '2026-11-19T10:15' }))),
  ].map(({ text, zone, now }) => ({ text, options: { timeZone: zone, now: localNow(now, zone) } }));

  for (let i = 0; i < WARM_UP; i++)
    parseWhen(cases[i % cases.length]!.text, cases[i % cases.length]!.options);
  const micros: number[] = [];
  const best: number[] = [];
  for (let i = 0; i < READINGS; i++) {
    // A prime stride mixes categories, zones and "nows" instead of running them in order.
    const { text, options } = cases[(i * 7919) % cases.length]!;
    const times = [0, 1, 2].map(() => {
      const start = process.hrtime.bigint();
      parseWhen(text, options);
      return Number(process.hrtime.bigint() - start) / 1000;
    });
    micros.push(times[0]!);
    best.push(Math.min(...times));
  }
  const summary = (values: number[]) => {
    values.sort((a, b) => a - b);
    const at = (p: number) =>
      Math.round(values[Math.min(values.length - 1, Math.ceil(p * values.length) - 1)]!);
    return { p50: at(0.5), p99: at(0.99), max: Math.round(values.at(-1)!) };
  };

  const corpus = { rows: 0, right: 0, refused: 0, wrong: 0 };
  for (const c of CORPUS) {
    for (const [text, expected] of c.rows) {
      for (const zone of CORPUS_ZONES) {
        corpus.rows++;
        corpus[judge(parseWhen, text, expected, zone, c.now).verdict]++;
      }
    }
  }
  for (const [text, expected] of ZONE_ROWS) {
    for (const zone of CORPUS_ZONES) {
      corpus.rows++;
      corpus[judgeZone(parseWhen, text, expected, zone, '2026-11-19T10:15').verdict]++;
    }
  }
  return {
    phrases: new Set(cases.map((c) => c.text)).size,
    readings: READINGS,
    micros: summary(micros),
    bestOfThree: summary(best),
    corpus,
  };
}

function localNow(local: string, zone: string): Date {
  return DateTime.fromISO(local, { zone }).toJSDate();
}
