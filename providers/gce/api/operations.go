package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"

	"google.golang.org/api/compute/v1"
)

// Operation is a change Compute Engine is making: an insert or a delete
// answers one at once and finishes it later.
type Operation struct {
	Name   string
	Target string // what it changes, for messages
	zonal  bool
}

// Poll asks once whether op is done; when it is, the error is the
// operation's own (a quota, a missing image…), typed like a call's.
func (c *Client) Poll(ctx context.Context, op *Operation) (bool, error) {
	return c.ask(ctx, op, false)
}

// Wait waits for op with the operations' wait method, which answers
// when the operation is done or after about two minutes, and asks again
// (after interval) while it is not done: one call where polling every
// interval spent an interval per operation, which over the thousands of
// deletions of a GC was most of its time.
func (c *Client) Wait(ctx context.Context, op *Operation, interval time.Duration) error {
	for {
		// Each wait ends on our side before the call's own timeout
		// could: the service may hold it two minutes.
		rctx, cancel := context.WithTimeout(ctx, waitRound)
		done, err := c.ask(rctx, op, true)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			continue // this round ended, not the wait
		}
		if done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("operation %s on %s: not done: %w", op.Name, op.Target, context.Cause(ctx))
		case <-time.After(interval):
		}
	}
}

// waitRound bounds one call of operations.wait.
var waitRound = time.Minute

// ask gets op, or with wait waits for it (operations.wait), and says
// whether it is done and, if it is, how it failed.
func (c *Client) ask(ctx context.Context, op *Operation, wait bool) (bool, error) {
	var o *compute.Operation
	err := c.do(ctx, "operation "+op.Name+" on "+op.Target, "operation", op.Name, func(ctx context.Context) error {
		var err error
		switch {
		case op.zonal && wait:
			o, err = c.compute.ZoneOperations.Wait(c.project, c.zone, op.Name).Context(ctx).Do()
		case op.zonal:
			o, err = c.compute.ZoneOperations.Get(c.project, c.zone, op.Name).Context(ctx).Do()
		case wait:
			o, err = c.compute.GlobalOperations.Wait(c.project, op.Name).Context(ctx).Do()
		default:
			o, err = c.compute.GlobalOperations.Get(c.project, op.Name).Context(ctx).Do()
		}
		return err
	})
	if err != nil {
		return false, err
	}
	if o.Status != "DONE" {
		return false, nil
	}
	return true, operationError(op, o)
}

// operationError turns a finished operation's errors into a typed error.
func operationError(op *Operation, o *compute.Operation) error {
	if o.Error == nil || len(o.Error.Errors) == 0 {
		return nil
	}
	first := o.Error.Errors[0]
	err := fmt.Errorf("%s %s: %s: %s", o.OperationType, op.Target, first.Code, first.Message)
	switch {
	case o.HttpErrorStatusCode == http.StatusNotFound || first.Code == "RESOURCE_NOT_FOUND":
		return fmt.Errorf("%w: %w", err, &NotFoundError{Kind: "resource", ID: op.Target})
	case o.HttpErrorStatusCode == http.StatusTooManyRequests || o.HttpErrorStatusCode >= 500:
		return err
	}
	return &TerminalError{Op: o.OperationType + " " + op.Target, Code: first.Code, Err: err}
}

func zonalOp(o *compute.Operation, target string) *Operation {
	return &Operation{Name: o.Name, Target: target, zonal: true}
}

func globalOp(o *compute.Operation, target string) *Operation {
	return &Operation{Name: o.Name, Target: target}
}

// RequestID is a UUID (version 8: custom) derived from key, for an
// idempotent insert: Compute Engine answers an insert whose request ID it
// has seen with the first one's operation.
func RequestID(key string) string {
	b := sha256.Sum256([]byte(key))
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
