// Package kongexit lets a kong CLI run in-process (as tests do) without
// kong's exit ending the process: kong's exit function panics with the
// status, and Recover turns that back into a return value.
package kongexit

import "github.com/alecthomas/kong"

type status int

// Option makes kong "exit" (after --help, on a parse error) by panicking
// with the status, for Recover to catch.
func Option() kong.Option {
	return kong.Exit(func(n int) { panic(status(n)) })
}

// Recover, deferred in the function that parses, sets *code to the status
// kong exited with; other panics go on.
func Recover(code *int) {
	if r := recover(); r != nil {
		if s, ok := r.(status); ok {
			*code = int(s)
			return
		}
		panic(r)
	}
}
