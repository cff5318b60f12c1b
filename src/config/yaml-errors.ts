// A YAML syntax error in plain words, for people who edit a config by hand:
// what is wrong (by the parser's error code), then the parser's own text.
import type { YAMLError } from 'yaml';

const PLAIN: Readonly<Record<string, string>> = {
  BAD_INDENT: 'the indentation is off: a key or list item is not aligned with the ones at its level',
  TAB_AS_INDENT: 'a tab indents a line: YAML indents with spaces only',
  DUPLICATE_KEY: 'a key is given twice in the same block',
  MISSING_CHAR: 'a character is missing: an unclosed quote or bracket, a "- " before a list item, or a ":" after a key',
  BLOCK_AS_IMPLICIT_KEY: 'a key is missing its ":", or a line is indented too far',
  MULTILINE_IMPLICIT_KEY: 'a key runs over two lines: a ":" or a closing quote is probably missing',
  UNEXPECTED_TOKEN: 'something stands where YAML expects no more text (a stray character, or a value after a value)',
  BAD_SCALAR_START: 'a value starts with a character that needs quotes (such as @, ` or %)',
  TAG_RESOLVE_FAILED: 'a "!" tag YAML does not know',
};

// "YAML syntax error: <plain words> (<parser message>)".
export function yamlErrorText(error: YAMLError): string {
  const own = error.message.split('\n')[0] ?? '';
  const plain = PLAIN[error.code];
  return plain === undefined ? `YAML syntax error: ${own}` : `YAML syntax error: ${plain} (${own})`;
}
