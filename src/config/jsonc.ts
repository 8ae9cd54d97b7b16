/**
 * Reading the config text as JSONC, the format of VS Code's `mcp.json`: JSON plus `//` and
 * `/* *\/` comments and trailing commas. A plain JSON file is JSONC too. A syntax error is
 * reported with its line and column (jsonc-parser gives the offset) and what was expected.
 */
import { createRequire } from 'node:module';
import type { ParseError, parse as jsoncParse, printParseErrorCode } from 'jsonc-parser';
import { UserInputError } from '../errors.js';

interface JsoncParser {
  parse: typeof jsoncParse;
  printParseErrorCode: typeof printParseErrorCode;
}
let parser: JsoncParser | undefined;
/**
 * jsonc-parser, loaded for the first text that is not plain JSON: most configs are, and loading
 * it costs about 0.5 MB of memory (its formatter's tables are built at load).
 */
function jsoncParser(): JsoncParser {
  return (parser ??= createRequire(import.meta.url)('jsonc-parser') as JsoncParser);
}

/** What each jsonc-parser error code means to someone fixing the file. */
const EXPECTED: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'a value',
  InvalidNumberFormat: 'a number',
  PropertyNameExpected: 'a property name in double quotes',
  ValueExpected: 'a value',
  ColonExpected: "':'",
  CommaExpected: "','",
  CloseBraceExpected: "',' or '}'",
  CloseBracketExpected: "',' or ']'",
  EndOfFileExpected: 'the end of the file',
  UnexpectedEndOfComment: 'the end of the comment (*/)',
  UnexpectedEndOfString: 'a closing \'"\'',
  InvalidCharacter: 'no control character inside a string (escape it)',
};

/** Parses `text` (a leading BOM is allowed); throws a UserInputError naming `path`, line and column. */
export function parseJsonc(text: string, path: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // comments or trailing commas, or an error that jsonc-parser locates
  }
  const { parse, printParseErrorCode } = jsoncParser();
  const errors: ParseError[] = [];
  const value: unknown = parse(body, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  // jsonc-parser assigns properties, so a `"__proto__"` key would set the object's prototype (a
  // hidden `"permissions": {"__proto__": {"allow": ["*"]}}`); JSON.parse makes it an own key,
  // which the schema ignores. Copying own properties only gives the same result as plain JSON.
  if (!first) return JSON.parse(JSON.stringify(value)) as unknown;
  const before = body.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  const found = first.offset < body.length ? `found ${JSON.stringify(body.slice(first.offset, first.offset + Math.max(1, Math.min(first.length, 20))))}` : 'found the end of the file';
  const expected = EXPECTED[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error);
  throw new UserInputError('CONFIG_INVALID', `Config file ${path} is not valid JSON at line ${line}, column ${column}: expected ${expected}, ${found}.`);
}
