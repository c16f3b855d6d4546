package cli

import (
	"testing"

	"github.com/hetaoc/hetao/tests/check"
)

// The golden cases of `hetaoc check` live in tests/check/testdata; they run
// here because cli is internal to cmd/. -update rewrites them.
func TestCheckGolden(t *testing.T) { check.Run(t, Main, "../../../tests/check/testdata") }

func TestCheckShippedConfigsClean(t *testing.T) {
	check.ShippedConfigsClean(t, Main, "../../../conf")
}

func TestCheckUsage(t *testing.T) { check.Usage(t, Main, "../../../conf") }
