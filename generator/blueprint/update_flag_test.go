package blueprint

// go test ./... -update passes -update to every test binary of the module;
// this import defines it here too.
import _ "github.com/regstack/regstack/generator/golden"
