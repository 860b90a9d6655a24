package cloud

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"basic.ssh":                "basic-ssh",
		"--Upper_Case--":           "upper-case",
		"a/b c":                    "a-b-c",
		"":                         "",
		strings.Repeat("ab-", 20):  "ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab",
		strings.Repeat("abc-", 20): "abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc",
	} {
		if got := Slug(in, 60); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Slug("abcdef-ghi", 7); got != "abcdef" {
		t.Errorf("a cut at a dash: %q", got)
	}
}

func TestTimedName(t *testing.T) {
	made := time.Unix(1764700000, 0)
	name := TimedName("strata-key-", made, "flight-x1")
	if name != "strata-key-1764700000-flight-x1" {
		t.Errorf("name %q", name)
	}
	if got, ok := TimeFromName("strata-key-", name); !ok || !got.Equal(made) {
		t.Errorf("time %v %v", got, ok)
	}
	for _, other := range []string{"laptop", "strata-key-", "strata-key-x-1", "strata-key--5-x", "strata-sg-1764700000-x"} {
		if _, ok := TimeFromName("strata-key-", other); ok {
			t.Errorf("%q read as strata's", other)
		}
	}
}

func TestWithCause(t *testing.T) {
	why := errors.New("machine m-1: not active within 10m")
	ctx, cancel := context.WithTimeoutCause(context.Background(), time.Nanosecond, why)
	defer cancel()
	<-ctx.Done()
	err := WithCause(ctx, context.DeadlineExceeded)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), why.Error()) {
		t.Errorf("%v", err)
	}
	if err := WithCause(ctx, why); err.Error() != why.Error() {
		t.Errorf("the cause twice: %v", err)
	}
	if err := WithCause(context.Background(), why); err != why {
		t.Errorf("a live context: %v", err)
	}
}
