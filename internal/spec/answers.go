package spec

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// AnswersFile is where gen saves the answers, relative to the host root.
const AnswersFile = ".regstack/answers.toml"

const answersHeader = `# The answers regstack gen was run with. Replay them with
#   regstack gen --answers .regstack/answers.toml
# Flags given on that command line override the values below.

`

// EncodeAnswers renders answers as the TOML of .regstack/answers.toml. The
// output depends only on a, so saving the same answers twice gives the same
// bytes.
func EncodeAnswers(a Answers) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(answersHeader)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(a); err != nil {
		return nil, fmt.Errorf("encode answers: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeAnswers reads an answers file over base: keys present in data
// replace the values in base, keys absent keep them. Unknown keys, values of
// the wrong type and TOML syntax errors are reported by key or line. The
// result is not validated; call Validate.
func DecodeAnswers(data []byte, base Answers) (Answers, error) {
	a := base
	md, err := toml.Decode(string(data), &a)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			msg := perr.Message
			if perr.LastKey != "" && !strings.Contains(msg, perr.LastKey) {
				msg = fmt.Sprintf("key %s: %s", perr.LastKey, msg)
			}
			return base, fmt.Errorf("line %d: %s", perr.Position.Line, msg)
		}
		return base, err
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		keys := make([]string, len(undec))
		for i, k := range undec {
			keys[i] = k.String()
		}
		return base, fmt.Errorf("unknown key %s (known keys: %s)", strings.Join(keys, ", "), strings.Join(Keys(), ", "))
	}
	return a, nil
}
