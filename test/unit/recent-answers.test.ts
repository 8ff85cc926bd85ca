import { describe, expect, it } from 'vitest';
import { RecentAnswers } from '../../functions/lib/recent-answers.ts';

describe('RecentAnswers', () => {
  it('answers a kept value while it is younger than the age asked, then forgets it', () => {
    // Prepare
    let now = 1_000_000;
    const answers = new RecentAnswers<string>({ now: () => now });
    answers.set('cluster team-a', 'passed', 10);

    // Act
    const fresh = answers.get('cluster team-a', 10);
    now += 9_999;
    const almost = answers.get('cluster team-a', 10);
    const younger = answers.get('cluster team-a', 5);
    now += 1;
    const expired = answers.get('cluster team-a', 10);

    // Assess
    expect(fresh).toBe('passed');
    expect(almost).toBe('passed');
    expect(younger).toBeUndefined();
    expect(expired).toBeUndefined();
  });

  it('keeps nothing with an age of 0, and at most its limit of keys, the oldest dropped first', () => {
    // Prepare
    const answers = new RecentAnswers<number>({ limit: 2 });

    // Act
    answers.set('off', 1, 0);
    answers.set('a', 1, 60);
    answers.set('b', 2, 60);
    answers.set('a', 3, 60);
    answers.set('c', 4, 60);

    // Assess
    expect(answers.get('off', 60)).toBeUndefined();
    expect(answers.get('b', 60)).toBeUndefined();
    expect(answers.get('a', 60)).toBe(3);
    expect(answers.get('c', 60)).toBe(4);
  });
});
