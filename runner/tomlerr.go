package runner

import (
	"bytes"

	"github.com/BurntSushi/toml"
)

// syntaxLine returns the 1-based line of src on which the TOML syntax error
// pe lies. The parser's Position.Line counts a newline it has just read, so
// an error found at the end of a line (an unterminated table header
// "[energy", whose offending character is the newline) is reported on the
// next line, or past the end of the file. The byte offset Position.Start
// is exact: the line is one more than the newlines before it. When Start
// is out of range (or would give a later line), Position.Line is kept.
func syntaxLine(src []byte, pe toml.ParseError) int {
	line, start := pe.Position.Line, pe.Position.Start
	if start < 0 || start >= len(src) {
		return line
	}
	if l := 1 + bytes.Count(src[:start], []byte{'\n'}); l < line || line <= 0 {
		return l
	}
	return line
}
