import { describe, expect, it } from 'vitest';
import { bindExecutionParameters } from '../../../../../infra/local/athena/parameters';

describe('Athena execution parameters', () => {
  it('fills each placeholder in order with its literal', () => {
    expect(
      bindExecutionParameters('SELECT * FROM t WHERE d BETWEEN ? AND ? LIMIT ?', [
        "'2026-12-01'",
        "'2026-12-03'",
        '10',
      ]),
    ).toBe("SELECT * FROM t WHERE d BETWEEN '2026-12-01' AND '2026-12-03' LIMIT 10");
  });

  it('leaves question marks in strings, quoted names and comments alone', () => {
    const query = `SELECT 'why?' AS "what?", x -- really?\n/* ? */ FROM t WHERE y = ? AND z = 'it''s ?'`;
    expect(bindExecutionParameters(query, ["'a'"])).toBe(
      `SELECT 'why?' AS "what?", x -- really?\n/* ? */ FROM t WHERE y = 'a' AND z = 'it''s ?'`,
    );
  });

  it('accepts typed literals, booleans and escaped quotes', () => {
    expect(bindExecutionParameters('SELECT ?, ?, ?', ["DATE '2026-12-03'", 'true', "'O''Brien'"])).toBe(
      "SELECT DATE '2026-12-03', true, 'O''Brien'",
    );
  });

  it('refuses a wrong number of parameters', () => {
    expect(() => bindExecutionParameters('SELECT ?', [])).toThrow(/1 parameter placeholders but 0/);
    expect(() => bindExecutionParameters('SELECT 1', ["'x'"])).toThrow(/0 parameter placeholders but 1/);
  });

  it('refuses a parameter that is not a literal, so it cannot change the query', () => {
    expect(() => bindExecutionParameters('SELECT ?', ["'a' OR 1=1"])).toThrow(/not a SQL literal/);
    expect(() => bindExecutionParameters('SELECT ?', ['2026-12-03'])).toThrow(/not a SQL literal/);
  });
});
