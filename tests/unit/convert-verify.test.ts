import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/convert/emitter.js';
import { verifyOutput } from '../../src/convert/verify-output.js';

// What ft convert says of a helper a converted file calls and ft does not have.
describe('convert: unknown helpers in the output', () => {
  const why = (text: string, projectName?: string): string[] => {
    const out = new Emitter();
    out.emit(text, 1);
    return verifyOutput({ file: 'macros/x.sql', text, out, partial: true, hasLeftovers: false, projectName }, new Set()).map((l) => l.why);
  };

  it("a package's call of its own macro that did not convert is not sent back to ft convert", () => {
    expect(why('{{dbt_expectations.ignore_row_if_expression a b}}', 'dbt_expectations')).toEqual([
      'this project has no macro ignore_row_if_expression it could call (one that did not convert is listed with its own leftovers)',
    ]);
    expect(why('{{dbt_expectations.ignore_row_if_expression a b}}', 'shop')[0]).toContain('package dbt_expectations is not built in: convert it with ft convert');
  });

  it('a path into the context is a value, not a helper', () => {
    expect(why('{{#each schemas}}{{this}} {{../role}} {{@index}}{{/each}}')).toEqual([]);
  });
});
