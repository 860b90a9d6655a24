// Package simrest is the request loop the JSON-over-REST cloud
// simulators share (DigitalOcean's, Equinix Metal's): each call reads its
// body, asks the shared fault engine what happens to it, checks the
// caller's token, misbehaves as the engine says (throttled, failed, its
// answer lost after it took effect, refused) or runs its handler under
// the simulator's lock, and answers JSON with the cloud's rate-limit
// headers. A simulator gives the parts that are its cloud's own: how a
// token is checked, what the headers and error bodies look like.
package simrest

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/strata-os/strata/core/cloud/fault"
)

// Error is a refusal: a status, the cloud's code for it and a message
// (or, for a cloud that answers a list of them, Errors).
type Error struct {
	Status        int
	Code, Message string
	Errors        []string
}

// Answer is a call's answer: a status and a JSON body (nil for none).
type Answer struct {
	Status int
	Body   any
}

// Handler serves one call with the simulator's lock held.
type Handler func(r *http.Request, body []byte) (Answer, *Error)

// Cloud is what a simulator tells the loop about its cloud.
type Cloud struct {
	Mux    *http.ServeMux
	Faults *fault.Engine
	// Lock is held while a handler runs (and while Authorized and
	// Headers run).
	Lock *sync.Mutex
	// Resource names a call's resource for the fault engine's rules.
	Resource func(r *http.Request) string
	// Authorized checks the caller's token.
	Authorized func(r *http.Request) bool
	// Headers adds the cloud's headers (rate limits) to every answer.
	Headers func(w http.ResponseWriter)
	// WriteError writes a refusal in the cloud's form.
	WriteError func(w http.ResponseWriter, e *Error)
	// Unauthorized, Throttled and ServerError are the cloud's refusals
	// of a bad token, of a throttled call, and its transient failure;
	// Forbidden is what an injected Error rule defaults to.
	Unauthorized, Throttled, ServerError, Forbidden Error
}

// Handle registers a call: pattern as http.ServeMux takes it, call the
// fault engine's name for it.
func (c *Cloud) Handle(pattern, call string, h Handler) {
	c.Mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		// Read the body before any early answer: a client whose transport
		// is still sending it must not race a reused buffer.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			c.writeError(w, &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "reading the body: " + err.Error()})
			return
		}
		d := c.Faults.Decide(call, c.Resource(r))
		defer d.Done()
		d.Wait(r.Context())
		c.Lock.Lock()
		ok := c.Authorized(r)
		c.Lock.Unlock()
		if !ok {
			c.writeError(w, &c.Unauthorized)
			return
		}
		lost := false
		if f := d.Fault; f != nil {
			switch f.Effect {
			case fault.Throttle:
				w.Header().Set("Retry-After", "0")
				c.writeError(w, &c.Throttled)
				return
			case fault.ServerError:
				c.writeError(w, &c.ServerError)
				return
			case fault.LoseAnswer:
				lost = true
			case fault.Error:
				e := &Error{Status: f.Status, Code: f.Code, Message: f.Message}
				if e.Status == 0 {
					e.Status = c.Forbidden.Status
				}
				if e.Code == "" {
					e.Code = c.Forbidden.Code
				}
				if e.Message == "" {
					e.Message = "injected failure of " + call
				}
				c.writeError(w, e)
				return
			}
		}
		c.Lock.Lock()
		a, aerr := h(r, body)
		c.Lock.Unlock()
		switch {
		case lost:
			c.writeError(w, &c.ServerError)
		case aerr != nil:
			c.writeError(w, aerr)
		default:
			c.headers(w)
			if a.Body == nil {
				w.WriteHeader(a.Status)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(a.Status)
			json.NewEncoder(w).Encode(a.Body)
		}
	})
}

func (c *Cloud) headers(w http.ResponseWriter) {
	c.Lock.Lock()
	defer c.Lock.Unlock()
	c.Headers(w)
}

// writeError writes a refusal with the cloud's headers.
func (c *Cloud) writeError(w http.ResponseWriter, e *Error) {
	c.headers(w)
	c.WriteError(w, e)
}
