/**
 * Every recorded EventBridge TestEventPattern outcome (AWS's answers, see the conformance README) replayed
 * against the local pattern engine: match, no match, or the exact error AWS gave.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../infra/local/edge/contracts';
import { testEventPattern } from '../../infra/local/eventbridge/pattern';

interface PatternCase {
  name: string;
  event?: unknown;
  eventText?: string;
  pattern?: unknown;
  patternText?: string;
  expected: 'match' | 'no-match' | 'invalid';
  error?: string;
  errorCode?: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const casesPath = resolve(repoRoot, '../shared/conformance/eventbridge-patterns/cases.json');
const cases: PatternCase[] = existsSync(casesPath) ? JSON.parse(readFileSync(casesPath, 'utf8')) : [];
if (cases.length === 0) {
  console.warn(
    `\n!!! EventBridge pattern conformance data not found at ${casesPath}: no cases registered !!!\n`,
  );
}

function run(testCase: PatternCase): boolean {
  const pattern = testCase.patternText ?? (testCase.pattern as object);
  const eventJson = testCase.eventText ?? JSON.stringify(testCase.event);
  return testEventPattern(pattern, eventJson);
}

if (cases.length > 0) {
  describe('EventBridge event patterns (AWS-recorded)', () => {
    for (const testCase of cases) {
      it(`${testCase.name} → ${testCase.expected}`, () => {
        if (testCase.expected !== 'invalid') {
          expect(run(testCase)).toBe(testCase.expected === 'match');
          return;
        }
        let thrown: unknown;
        try {
          run(testCase);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(AwsServiceError);
        const error = thrown as AwsServiceError;
        expect(error.code).toBe(testCase.errorCode);
        expect(error.statusCode).toBe(400);
        // Includes the JSON-parser texts, which the README allows to differ; the local describer matches them.
        expect(error.message).toBe(testCase.error);
      });
    }
  });
}
