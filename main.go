// Command regstack writes production-grade user accounts into a Go web
// application as code the application owns.
package main

import (
	"os"

	"github.com/regstack/regstack/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
