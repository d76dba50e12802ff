package oapi

import (
	"os"
	"regexp"
	"testing"
)

func TestVersionMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/oapi-codegen/oapi-codegen/v2 (v\S+)`).FindSubmatch(mod)
	if m == nil || string(m[1]) != Version {
		t.Fatalf("go.mod pins oapi-codegen %s, oapi.Version says %s: update the constant", m[1], Version)
	}
}
