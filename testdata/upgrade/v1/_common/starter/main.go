// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Command app prints a greeting.
package main

import (
	"fmt"

	"regstack.example/app/internal/auth"
)

func main() {
	fmt.Println(auth.Greeting("world"))
}
