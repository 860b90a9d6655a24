package cloud

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var notSlugChars = regexp.MustCompile(`[^a-z0-9]+`)

// Slug makes s a name every cloud takes for a machine, tag or host name:
// lower-case letters, digits and single dashes, no dash at either end,
// at most max bytes.
func Slug(s string, max int) string {
	n := strings.Trim(notSlugChars.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(n) > max {
		n = strings.TrimRight(n[:max], "-")
	}
	return n
}

// TimedName names a resource that has no creation time or tags of its
// own (an SSH key, a key pair): a prefix, when it was made (Unix
// seconds, for GC) and a tag.
func TimedName(prefix string, made time.Time, tag string) string {
	return fmt.Sprintf("%s%d-%s", prefix, made.Unix(), tag)
}

// TimeFromName reads the time TimedName put in a name; ok is false for a
// name without the prefix and a time, which GC then leaves alone.
func TimeFromName(prefix, name string) (made time.Time, ok bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return time.Time{}, false
	}
	secs, _, _ := strings.Cut(rest, "-")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// WithCause adds why ctx ended to err: a call cut short by a deadline
// says only "context deadline exceeded", not which deadline.
func WithCause(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("%w (%v)", err, cause)
	}
	return err
}
