// Command ebmrun builds and runs energy-based-model sampling pipelines from
// TOML files. See package runner, or run `ebmrun --help`.
package main

import "github.com/goebm/ebm/runner"

func main() { runner.Main() }
