package sim

import (
	"fmt"
	"net/http"
)

// operation is a change that finishes a few polls after it was asked for;
// finish applies it and says how it failed, if it did.
type operation struct {
	// id and name are the operation's for its whole life: clients match
	// the answers of polls to the operation they started by them.
	id                 uint64
	name, kind, target string
	zonal              bool
	inserted           string
	polls              int
	done               bool
	failed             *apiError
	finish             func() *apiError
}

// newOperation records a change; finish runs when the operation is done.
func (s *Server) newOperation(kind, target string, zonal bool, finish func() *apiError) *operation {
	id := s.nextID()
	op := &operation{id: id, name: fmt.Sprintf("operation-%d", id), kind: kind, target: target, zonal: zonal, inserted: s.timestamp(), finish: finish}
	s.operations[op.name] = op
	return op
}

func (s *Server) getOperation(r *http.Request, _ []byte) (any, *apiError) {
	op, ok := s.operations[r.PathValue("name")]
	if !ok || op.zonal != (r.PathValue("zone") != "") {
		return nil, notFound("The resource 'operations/%s' was not found", r.PathValue("name"))
	}
	s.progress(op)
	return s.operationJSON(op), nil
}

// progress moves an operation on by one poll, finishing it after
// OperationPolls.
func (s *Server) progress(op *operation) {
	if op.done {
		return
	}
	op.polls++
	if op.polls >= s.opts.OperationPolls {
		op.done = true
		op.failed = op.finish()
	}
}

// progressTarget moves on the unfinished operations on a resource
// (global/images/NAME): Compute Engine finishes its work whether or not
// the client that asked for it is still there to poll (it may have
// crashed), so looking at the resource advances it as polling would.
func (s *Server) progressTarget(target string) {
	for _, op := range s.operations {
		if op.target == target {
			s.progress(op)
		}
	}
}

// waitOperation is operations.wait, which answers once the operation is
// done (Compute Engine's also answers, not done, after about two
// minutes). A simulated operation is done after a few polls; a wait
// makes them all at once.
func (s *Server) waitOperation(r *http.Request, body []byte) (any, *apiError) {
	for {
		resp, aerr := s.getOperation(r, body)
		if aerr != nil || s.operations[r.PathValue("name")].done {
			return resp, aerr
		}
	}
}

func (s *Server) operationJSON(op *operation) map[string]any {
	status := "RUNNING"
	if op.done {
		status = "DONE"
	}
	base := fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s", s.opts.Project)
	out := map[string]any{
		"kind": "compute#operation", "id": fmt.Sprint(op.id), "name": op.name,
		"operationType": op.kind, "targetLink": base + "/" + op.target,
		"status": status, "insertTime": op.inserted, "progress": map[bool]int{false: 50, true: 100}[op.done],
	}
	if op.zonal {
		out["zone"] = base + "/zones/" + s.opts.Zone
		out["selfLink"] = base + "/zones/" + s.opts.Zone + "/operations/" + op.name
	} else {
		out["selfLink"] = base + "/global/operations/" + op.name
	}
	if op.failed != nil {
		out["httpErrorStatusCode"] = op.failed.status
		out["httpErrorMessage"] = http.StatusText(op.failed.status)
		out["error"] = map[string]any{"errors": []map[string]string{{"code": op.failed.reason, "message": op.failed.message}}}
	}
	return out
}
