import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../src/domain/when.js';
import { CORPUS, CORPUS_ZONES, judge, judgeZone, ZONE_ROWS } from './when-corpus.js';

/**
 * Every row of the hand-written corpus, per category, in each zone. A row the reader reads
 * differently fails with what it read; a known gap (a meaning exists, the reader refuses) must stay
 * a refusal, never become a wrong reading.
 */
describe('the corpus of ways people write a moment', () => {
  for (const category of CORPUS) {
    describe(`${category.name} — now ${category.now} local`, () => {
      for (const zone of CORPUS_ZONES) {
        it.each(category.rows)(`${zone}: %j`, (text, expected) => {
          const { verdict, detail } = judge(parseWhen, text, expected, zone, category.now);
          const gap = typeof expected === 'object' && 'gap' in expected;
          expect(verdict, detail).toBe(gap ? 'refused' : 'right');
        });
      }
    });
  }

  describe('zone abbreviations, per zone — now 2026-11-19T10:15 local', () => {
    for (const zone of CORPUS_ZONES) {
      it.each(ZONE_ROWS)(`${zone}: %j`, (text, expected) => {
        const { verdict, detail } = judgeZone(parseWhen, text, expected, zone, '2026-11-19T10:15');
        expect(verdict, detail).toBe('right');
      });
    }
  });
});
