// Command hclcheck is the test oracle for mlform: it runs HashiCorp's own HCL
// implementation so that mlform's formatter and its example files can be
// checked against the real thing.
//
//	hclcheck fmt            reads HCL on stdin, writes hclwrite.Format(src) to stdout
//	hclcheck parse FILE...  parses each file with hclsyntax.ParseConfig and prints each
//	                        diagnostic as FILE:LINE:COL: SUMMARY: DETAIL; exits 1 if
//	                        any diagnostic is an error, 0 otherwise
//
// Build offline against Debian's packaged sources:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o .venv/bin/hclcheck ./tests/tools/hclcheck
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

const usage = "usage: hclcheck fmt < FILE\n       hclcheck parse FILE...\n"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "fmt":
		os.Exit(runFmt())
	case "parse":
		if len(os.Args) < 3 {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(runParse(os.Args[2:]))
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
}

func runFmt() int {
	src, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hclcheck: reading stdin: %s\n", err)
		return 2
	}
	if _, err := os.Stdout.Write(hclwrite.Format(src)); err != nil {
		fmt.Fprintf(os.Stderr, "hclcheck: writing stdout: %s\n", err)
		return 2
	}
	return 0
}

func runParse(files []string) int {
	status := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Printf("%s:0:0: Failed to read file: %s\n", name, err)
			status = 1
			continue
		}
		_, diags := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1, Byte: 0})
		for _, diag := range diags {
			line, col := 0, 0
			if diag.Subject != nil {
				line, col = diag.Subject.Start.Line, diag.Subject.Start.Column
			}
			fmt.Printf("%s:%d:%d: %s: %s\n", name, line, col, diag.Summary, diag.Detail)
			if diag.Severity == hcl.DiagError {
				status = 1
			}
		}
	}
	return status
}
