package cloud

import (
	"errors"
	"fmt"
	"testing"
)

func TestHTTPError(t *testing.T) {
	refused := fmt.Errorf("create droplet: %w", &HTTPError{Op: "create droplet x", Status: 422, Message: "name is taken"})
	if got := refused.Error(); got != "create droplet: create droplet x: 422 Unprocessable Entity: name is taken" {
		t.Errorf("Error() = %q", got)
	}
	cause := errors.New("connection reset")
	unanswered := &HTTPError{Op: "list keys", Err: cause}
	if unanswered.Error() != "list keys: connection reset" || !errors.Is(unanswered, cause) {
		t.Errorf("unanswered: %q, Is cause %v", unanswered.Error(), errors.Is(unanswered, cause))
	}
	for _, tc := range []struct {
		err    error
		status int
		final  bool
	}{
		{refused, 422, true},
		{&HTTPError{Status: 404}, 404, true},
		{&HTTPError{Status: 429}, 429, false},
		{&HTTPError{Status: 408}, 408, false},
		{&HTTPError{Status: 503}, 503, false},
		{unanswered, 0, false},
		{cause, 0, false},
	} {
		if s := HTTPStatus(tc.err); s != tc.status || RefusedForGood(s) != tc.final {
			t.Errorf("%v: status %d (want %d), refused for good %v (want %v)", tc.err, s, tc.status, RefusedForGood(s), tc.final)
		}
	}
}
