// Package sim is an in-process EC2 that speaks the real wire protocol (the
// EC2 query API: form-encoded actions, XML answers) for the subset strata
// uses, so the AWS SDK itself is tested against it. It is stateful and
// behaves like the cloud where tests need it to: instances start pending
// and become running a few describes later, terminated instances linger
// as terminated, lists are paginated, resources carry tags, unknown IDs
// give EC2's not-found errors, and a test can inject throttling, server
// errors and latency.
package sim

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/qemu/box"
)

// Options shape the simulator's behaviour.
type Options struct {
	// PendingDescribes is how many DescribeInstances calls see a new
	// instance pending before it is running (default 2); TerminatingDescribes
	// the same for shutting-down before terminated.
	PendingDescribes, TerminatingDescribes int
	// PageSize bounds DescribeInstances pages when the caller asks for
	// more or for none (default 5, so tests page).
	PageSize int
	// Now is the clock for launch times (default time.Now).
	Now func() time.Time
	// S3 is where snapshot imports find their objects (none: every
	// import fails, as for a missing object).
	S3 ObjectStore
	// Box, if set, boots instances of imported disks (boot.go).
	Box *box.Box
	// Logger gets a line per request a booted guest makes to its metadata
	// service (default: none).
	Logger *slog.Logger
}

// Server is one simulated EC2 region.
type Server struct {
	opts Options

	// mu is shared by the regions of a Cloud, so a copy between two
	// regions sees both under one lock.
	mu          *sync.Mutex
	region      string
	peer        func(region string) *Server // another region (nil: none)
	faults      fault.Engine
	seq         int
	instances   map[string]*Instance
	order       []string // instance IDs in launch order
	tokens      map[string]string
	keyPairs    map[string]*KeyPair
	groups      map[string]*SecurityGroup
	vpcs        map[string]*Network
	subnets     map[string]*Subnet
	gateways    map[string]*Gateway
	routeTables map[string]*RouteTable
	imports     map[string]*ImportTask
	// importTokens are ImportSnapshot's client tokens: token → task.
	importTokens map[string]string
	snapshots    map[string]*Snapshot
	images       map[string]*Image
}

// New returns an empty simulated region.
func New(opts Options) *Server {
	if opts.PendingDescribes == 0 {
		opts.PendingDescribes = 2
	}
	if opts.TerminatingDescribes == 0 {
		opts.TerminatingDescribes = 1
	}
	if opts.PageSize == 0 {
		opts.PageSize = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{
		mu:           &sync.Mutex{},
		region:       "us-east-1",
		opts:         opts,
		instances:    map[string]*Instance{},
		tokens:       map[string]string{},
		keyPairs:     map[string]*KeyPair{},
		groups:       map[string]*SecurityGroup{},
		vpcs:         map[string]*Network{},
		subnets:      map[string]*Subnet{},
		gateways:     map[string]*Gateway{},
		routeTables:  map[string]*RouteTable{},
		imports:      map[string]*ImportTask{},
		importTokens: map[string]string{},
		snapshots:    map[string]*Snapshot{},
		images:       map[string]*Image{},
	}
}

// Start serves the simulator on a loopback port until the test ends.
func (s *Server) Start() *httptest.Server { return httptest.NewServer(s) }

// Faults are the rules this region misbehaves by; calls are named by
// their EC2 action ("RunInstances") and resources by the ID or name the
// request gives first. Throttle answers 503 RequestLimitExceeded, server
// errors 500 InternalError, and Error rules default to 400
// UnauthorizedOperation.
func (s *Server) Faults() *fault.Engine { return &s.faults }

// Calls reports how many requests of action the simulator received,
// including those it failed on purpose.
func (s *Server) Calls(action string) int { return s.faults.Calls(action) }

// Injected reports how many requests were answered with an injected fault.
func (s *Server) Injected() int { return s.faults.Injected() }

// id makes a resource ID like EC2's (i-0123456789abcdef0).
func (s *Server) id(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%017x", prefix, s.seq)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	action := r.PostForm.Get("Action")
	d := s.faults.Decide(action, resourceOf(query(r.PostForm)))
	defer d.Done()
	d.Wait(r.Context())
	lost := false
	if f := d.Fault; f != nil {
		switch f.Effect {
		case fault.Throttle:
			writeError(w, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
			return
		case fault.ServerError:
			writeError(w, http.StatusInternalServerError, "InternalError", "An internal error has occurred.")
			return
		case fault.LoseAnswer:
			lost = true
		default:
			status, code, msg := f.Status, f.Code, f.Message
			if status == 0 {
				status = http.StatusBadRequest
			}
			if code == "" {
				code = "UnauthorizedOperation"
			}
			if msg == "" {
				msg = "injected failure of " + action
			}
			writeError(w, status, code, msg)
			return
		}
	}
	h, ok := handlers[action]
	if !ok {
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", action))
		return
	}
	s.mu.Lock()
	resp, err := h(s, query(r.PostForm))
	s.mu.Unlock()
	if lost {
		// It happened; the caller is told it may not have.
		writeError(w, http.StatusInternalServerError, "InternalError", "An internal error has occurred.")
		return
	}
	if err != nil {
		writeError(w, err.status, err.code, err.msg)
		return
	}
	writeXML(w, action, resp)
}

// resourceOf is what a request is about, for fault rules: the first ID or
// name it gives.
func resourceOf(q query) string {
	for _, k := range []string{"InstanceId.1", "KeyName", "ImageId", "SnapshotId", "GroupName", "GroupId", "VpcId", "SubnetId", "Bucket"} {
		if v := q.get(k); v != "" {
			return v
		}
	}
	return ""
}

// apiError is an EC2 error answer.
type apiError struct {
	status    int
	code, msg string
}

func clientError(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, msg: fmt.Sprintf(format, args...)}
}

var handlers map[string]func(*Server, query) (any, *apiError)

func init() {
	handlers = map[string]func(*Server, query) (any, *apiError){
		"RunInstances":                  (*Server).runInstances,
		"DescribeInstances":             (*Server).describeInstances,
		"TerminateInstances":            (*Server).terminateInstances,
		"GetConsoleOutput":              (*Server).getConsoleOutput,
		"DescribeInstanceAttribute":     (*Server).describeInstanceAttribute,
		"ImportKeyPair":                 (*Server).importKeyPair,
		"DeleteKeyPair":                 (*Server).deleteKeyPair,
		"DescribeKeyPairs":              (*Server).describeKeyPairs,
		"CreateSecurityGroup":           (*Server).createSecurityGroup,
		"DescribeSecurityGroups":        (*Server).describeSecurityGroups,
		"AuthorizeSecurityGroupIngress": (*Server).authorizeSecurityGroupIngress,
		"CreateVpc":                     (*Server).createVpc,
		"CreateSubnet":                  (*Server).createSubnet,
		"ModifySubnetAttribute":         (*Server).modifySubnetAttribute,
		"DescribeSubnets":               (*Server).describeSubnets,
		"CreateInternetGateway":         (*Server).createInternetGateway,
		"AttachInternetGateway":         (*Server).attachInternetGateway,
		"CreateRouteTable":              (*Server).createRouteTable,
		"CreateRoute":                   (*Server).createRoute,
		"AssociateRouteTable":           (*Server).associateRouteTable,
		"DescribeVpcs":                  (*Server).describeVpcs,
		"DeleteVpc":                     (*Server).deleteVpc,
		"DeleteSubnet":                  (*Server).deleteSubnet,
		"DescribeRouteTables":           (*Server).describeRouteTables,
		"DisassociateRouteTable":        (*Server).disassociateRouteTable,
		"DeleteRouteTable":              (*Server).deleteRouteTable,
		"DescribeInternetGateways":      (*Server).describeInternetGateways,
		"DetachInternetGateway":         (*Server).detachInternetGateway,
		"DeleteInternetGateway":         (*Server).deleteInternetGateway,
		"DeleteSecurityGroup":           (*Server).deleteSecurityGroup,
		"ImportSnapshot":                (*Server).importSnapshot,
		"DescribeImportSnapshotTasks":   (*Server).describeImportSnapshotTasks,
		"RegisterImage":                 (*Server).registerImage,
		"DescribeImages":                (*Server).describeImages,
		"DeregisterImage":               (*Server).deregisterImage,
		"DescribeSnapshots":             (*Server).describeSnapshots,
		"DeleteSnapshot":                (*Server).deleteSnapshot,
		"CreateTags":                    (*Server).createTags,
		"CopyImage":                     (*Server).copyImage,
		"ModifyImageAttribute":          (*Server).modifyImageAttribute,
	}
}
