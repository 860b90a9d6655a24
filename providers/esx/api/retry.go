package api

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"time"

	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
)

// retrying sends a SOAP call again after a transient failure — the
// reverse proxy's 502/503/504, a SystemError or HostCommunication fault,
// no answer — unless the call makes something (a clone), which Clone
// retries itself after looking for what it made.
type retrying struct {
	rt       soap.RoundTripper
	max      int
	min, cap time.Duration
}

func (r *retrying) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	_, makes := req.(*methods.CloneVM_TaskBody)
	for n := 0; ; n++ {
		if n > 0 {
			// A decoded answer keeps the fault of the try before (the
			// decoder sets only what the new answer has): start afresh.
			if v := reflect.ValueOf(res); v.Kind() == reflect.Pointer && !v.IsNil() {
				v.Elem().Set(reflect.Zero(v.Elem().Type()))
			}
		}
		err := r.rt.RoundTrip(ctx, req, res)
		if err == nil || makes || n >= r.max || !transient(err) || ctx.Err() != nil {
			return err
		}
		d := r.min << min(n, 20)
		d = min(d/2+rand.N(d/2+1), r.cap)
		select {
		case <-ctx.Done():
			return errors.Join(err, context.Cause(ctx))
		case <-time.After(d):
		}
	}
}

// transient says whether a SOAP call's failure may go away by itself.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch {
	case soap.IsSoapFault(err):
		switch faultName(soap.ToSoapFault(err).VimFault()) {
		case "SystemError", "HostCommunication", "RequestCanceled":
			return true
		}
		return false
	case soap.IsVimFault(err):
		return false
	case vim25.IsTemporaryNetworkError(err):
		return true
	}
	msg := err.Error()
	for _, s := range []string{"502 ", "503 ", "504 "} {
		if strings.HasPrefix(msg, s) {
			return true
		}
	}
	// No answer at all (a reset, EOF): the call may be sent again.
	return !strings.Contains(msg, "x509") && !strings.Contains(msg, "certificate")
}

// waitBefore sleeps before try n+1 of a create.
func waitBefore(ctx context.Context, n int, err error) error {
	d := min((50*time.Millisecond)<<min(n, 10), 10*time.Second)
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w (%v)", err, context.Cause(ctx))
	case <-time.After(d):
		return nil
	}
}
