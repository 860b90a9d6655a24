package sim

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Instance is a simulated instance as a test inspects it.
type Instance struct {
	ID, ImageID, Type, KeyName, SubnetID string
	SecurityGroups                       []string
	// UserData is the decoded user data the instance was launched with.
	UserData   []byte
	Tags       map[string]string
	State      string // pending, running, shutting-down, terminated
	PrivateIP  string
	PublicIP   string
	LaunchTime time.Time
	// Console is what GetConsoleOutput returns (set by tests; EC2 keeps
	// only the last 64 KiB).
	Console []byte

	describes   int // DescribeInstances calls that have seen it in its state
	reservation string
	zone        string

	// Cloud-in-a-box (boot.go, imds.go): the machine, if booted; its
	// console once stopped; the metadata service's tokens and log.
	booted         *box.Instance
	bootedConsole  string
	httpTokens     string // optional or required (IMDSv2 only)
	metadataTokens map[string]time.Time
	metadataLog    []MetadataRequest
}

// Instances returns copies of every instance, in launch order.
func (s *Server) Instances() []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Instance, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, *s.instances[id])
	}
	return out
}

// SetConsole sets what GetConsoleOutput returns for an instance.
func (s *Server) SetConsole(id string, console []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.instances[id]; ok {
		in.Console = console
	}
}

// SimulatedPlatform is the platformDetails of every simulated instance:
// the provider reads it to know the machine will never answer SSH.
const SimulatedPlatform = "Linux/UNIX (strata simulator: does not boot)"

var stateCodes = map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

type instanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type instanceXML struct {
	InstanceID      string        `xml:"instanceId"`
	ImageID         string        `xml:"imageId"`
	State           instanceState `xml:"instanceState"`
	PrivateIP       string        `xml:"privateIpAddress,omitempty"`
	PublicIP        string        `xml:"ipAddress,omitempty"`
	KeyName         string        `xml:"keyName,omitempty"`
	InstanceType    string        `xml:"instanceType"`
	LaunchTime      string        `xml:"launchTime"`
	SubnetID        string        `xml:"subnetId,omitempty"`
	PlatformDetails string        `xml:"platformDetails"`
	Placement       struct {
		AvailabilityZone string `xml:"availabilityZone"`
	} `xml:"placement"`
	Groups []struct {
		GroupID string `xml:"groupId"`
	} `xml:"groupSet>item"`
	Tags []tagItem `xml:"tagSet>item"`
}

func (in *Instance) xml() instanceXML {
	x := instanceXML{
		InstanceID: in.ID, ImageID: in.ImageID, State: instanceState{stateCodes[in.State], in.State},
		PrivateIP: in.PrivateIP, PublicIP: in.PublicIP, KeyName: in.KeyName, InstanceType: in.Type,
		LaunchTime: in.LaunchTime.UTC().Format(time.RFC3339), SubnetID: in.SubnetID,
		PlatformDetails: SimulatedPlatform, Tags: tagSet(in.Tags),
	}
	if in.booted != nil || in.bootedConsole != "" {
		x.PlatformDetails = BootedPlatform
	}
	x.Placement.AvailabilityZone = in.zone
	for _, g := range in.SecurityGroups {
		x.Groups = append(x.Groups, struct {
			GroupID string `xml:"groupId"`
		}{g})
	}
	return x
}

type runInstancesResponse struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	Instances     []instanceXML `xml:"instancesSet>item"`
}

func (s *Server) runInstances(q query) (any, *apiError) {
	image := q.get("ImageId")
	if image == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameter ImageId")
	}
	minCount, _ := strconv.Atoi(q.get("MinCount"))
	maxCount, _ := strconv.Atoi(q.get("MaxCount"))
	if minCount < 1 || maxCount < minCount {
		return nil, clientError("InvalidParameterValue", "MinCount %q and MaxCount %q must be at least 1, MinCount <= MaxCount", q.get("MinCount"), q.get("MaxCount"))
	}
	if k := q.get("KeyName"); k != "" {
		if _, ok := s.keyPairs[k]; !ok {
			return nil, clientError("InvalidKeyPair.NotFound", "The key pair '%s' does not exist", k)
		}
	}
	if sn := q.get("SubnetId"); sn != "" {
		if _, ok := s.subnets[sn]; !ok {
			return nil, clientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", sn)
		}
	}
	groups := q.list("SecurityGroupId")
	for _, g := range groups {
		if _, ok := s.groups[g]; !ok {
			return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", g)
		}
	}
	var userData []byte
	if ud := q.get("UserData"); ud != "" {
		b, err := base64.StdEncoding.DecodeString(ud)
		if err != nil {
			return nil, clientError("InvalidParameterValue", "Invalid BASE64 encoding of user data.")
		}
		userData = b
	}
	resp := runInstancesResponse{OwnerID: "123456789012"}
	// The same client token returns the same reservation: RunInstances is
	// idempotent, which lets a caller retry a create safely.
	token := q.get("ClientToken")
	if token != "" {
		if res, ok := s.tokens[token]; ok {
			resp.ReservationID = res
			for _, id := range s.order {
				if in := s.instances[id]; in.reservation == res {
					resp.Instances = append(resp.Instances, in.xml())
				}
			}
			return resp, nil
		}
	}
	resp.ReservationID = s.id("r")
	if token != "" {
		s.tokens[token] = resp.ReservationID
	}
	for i := 0; i < maxCount; i++ {
		n := len(s.order) + 1
		in := &Instance{
			ID: s.id("i"), ImageID: image, Type: orDefault(q.get("InstanceType"), "m1.small"),
			KeyName: q.get("KeyName"), SubnetID: q.get("SubnetId"), SecurityGroups: groups, zone: s.region + "a",
			UserData: userData, Tags: q.tags("instance"), State: "pending",
			PrivateIP: fmt.Sprintf("10.0.%d.%d", n/250, n%250+4), PublicIP: fmt.Sprintf("198.51.100.%d", n%250+1),
			LaunchTime: s.opts.Now(), reservation: resp.ReservationID,
		}
		in.httpTokens = orDefault(q.get("MetadataOptions.HttpTokens"), "optional")
		if err := s.boot(in); err != nil {
			// Nothing was made: the machines booted so far go too.
			for _, id := range resp.Instances {
				if prev := s.instances[id.InstanceID]; prev != nil {
					s.stopBooted(prev)
					delete(s.instances, id.InstanceID)
					s.order = slices.DeleteFunc(s.order, func(o string) bool { return o == id.InstanceID })
				}
			}
			if token != "" {
				delete(s.tokens, token)
			}
			return nil, &apiError{status: 500, code: "InternalError", msg: "cloud-in-a-box could not boot " + in.ID + ": " + err.Error()}
		}
		s.instances[in.ID] = in
		s.order = append(s.order, in.ID)
		resp.Instances = append(resp.Instances, in.xml())
	}
	return resp, nil
}

// AddInstance makes a running instance, as if someone launched it at
// launched, for tests; it returns its ID.
func (s *Server) AddInstance(tags map[string]string, launched time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.order) + 1
	in := &Instance{
		ID: s.id("i"), ImageID: "ami-0123456789abcdef0", Type: "t3.small", zone: s.region + "a", Tags: tags, State: "running",
		PrivateIP: fmt.Sprintf("10.0.%d.%d", n/250, n%250+4), PublicIP: fmt.Sprintf("198.51.100.%d", n%250+1),
		LaunchTime: launched, reservation: s.id("r"),
	}
	s.instances[in.ID] = in
	s.order = append(s.order, in.ID)
	return in.ID
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

type describeInstancesResponse struct {
	Reservations []struct {
		ReservationID string        `xml:"reservationId"`
		OwnerID       string        `xml:"ownerId"`
		Instances     []instanceXML `xml:"instancesSet>item"`
	} `xml:"reservationSet>item"`
	NextToken string `xml:"nextToken,omitempty"`
}

// describeInstances pages through the matching instances in launch order;
// each call moves the instances it returns along their lifecycle.
func (s *Server) describeInstances(q query) (any, *apiError) {
	ids := q.list("InstanceId")
	if mr := q.get("MaxResults"); mr != "" {
		// As EC2 checks them.
		if len(ids) > 0 {
			return nil, clientError("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
		}
		if m, err := strconv.Atoi(mr); err != nil || m < 5 || m > 1000 {
			return nil, clientError("InvalidParameterValue", "Value (%s) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", mr)
		}
	}
	for _, id := range ids {
		if _, ok := s.instances[id]; !ok {
			return nil, clientError("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
		}
	}
	filters := q.filters()
	var match []*Instance
	for _, id := range s.order {
		in := s.instances[id]
		if len(ids) > 0 && !slices.Contains(ids, id) {
			continue
		}
		if states, ok := filters["instance-state-name"]; ok && !slices.Contains(states, in.State) {
			continue
		}
		if vpcs, ok := filters["vpc-id"]; ok && !slices.Contains(vpcs, s.vpcOf(in)) {
			continue
		}
		if !tagMatch(filters, in.Tags) {
			continue
		}
		match = append(match, in)
	}
	start := 0
	if tok := q.get("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(match) {
			return nil, clientError("InvalidParameterValue", "Invalid NextToken %q", tok)
		}
		start = n
	}
	size := s.opts.PageSize
	if m, _ := strconv.Atoi(q.get("MaxResults")); m > 0 && m < size {
		size = m
	}
	end := min(start+size, len(match))
	var resp describeInstancesResponse
	for _, in := range match[start:end] {
		resp.Reservations = append(resp.Reservations, struct {
			ReservationID string        `xml:"reservationId"`
			OwnerID       string        `xml:"ownerId"`
			Instances     []instanceXML `xml:"instancesSet>item"`
		}{in.reservation, "123456789012", []instanceXML{in.xml()}})
		s.advance(in)
	}
	if end < len(match) {
		resp.NextToken = strconv.Itoa(end)
	}
	return resp, nil
}

// advance moves an instance to its next state once enough describes have
// seen it in this one: the cloud is asynchronous.
func (s *Server) advance(in *Instance) {
	in.describes++
	switch {
	case in.State == "pending" && in.describes >= s.opts.PendingDescribes:
		in.State, in.describes = "running", 0
	case in.State == "shutting-down" && in.describes >= s.opts.TerminatingDescribes:
		in.State, in.describes = "terminated", 0
	}
}

type stateChange struct {
	InstanceID    string        `xml:"instanceId"`
	CurrentState  instanceState `xml:"currentState"`
	PreviousState instanceState `xml:"previousState"`
}

type terminateInstancesResponse struct {
	Instances []stateChange `xml:"instancesSet>item"`
}

func (s *Server) terminateInstances(q query) (any, *apiError) {
	ids := q.list("InstanceId")
	if len(ids) == 0 {
		return nil, clientError("MissingParameter", "The request must contain the parameter InstanceId")
	}
	for _, id := range ids {
		if _, ok := s.instances[id]; !ok {
			return nil, clientError("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
		}
	}
	var resp terminateInstancesResponse
	for _, id := range ids {
		in := s.instances[id]
		prev := in.State
		if in.State != "terminated" && in.State != "shutting-down" {
			in.State, in.describes = "shutting-down", 0
			s.stopBooted(in)
		}
		resp.Instances = append(resp.Instances, stateChange{id, instanceState{stateCodes[in.State], in.State}, instanceState{stateCodes[prev], prev}})
	}
	return resp, nil
}

type consoleOutputResponse struct {
	InstanceID string `xml:"instanceId"`
	Timestamp  string `xml:"timestamp"`
	Output     string `xml:"output,omitempty"`
}

// consoleLimit is what EC2 keeps of a console: the last 64 KiB.
const consoleLimit = 64 << 10

func (s *Server) getConsoleOutput(q query) (any, *apiError) {
	id := q.get("InstanceId")
	in, ok := s.instances[id]
	if !ok {
		return nil, clientError("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	}
	out := in.Console
	switch {
	case in.booted != nil && in.bootedConsole == "":
		out = []byte(in.booted.Console())
	case in.bootedConsole != "":
		out = []byte(in.bootedConsole)
	}
	if len(out) > consoleLimit {
		out = out[len(out)-consoleLimit:]
	}
	resp := consoleOutputResponse{InstanceID: id, Timestamp: s.opts.Now().UTC().Format(time.RFC3339)}
	if len(out) > 0 {
		resp.Output = base64.StdEncoding.EncodeToString(out)
	}
	return resp, nil
}

type instanceAttributeResponse struct {
	InstanceID string `xml:"instanceId"`
	UserData   struct {
		Value string `xml:"value,omitempty"`
	} `xml:"userData"`
}

func (s *Server) describeInstanceAttribute(q query) (any, *apiError) {
	id := q.get("InstanceId")
	in, ok := s.instances[id]
	if !ok {
		return nil, clientError("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	}
	if a := q.get("Attribute"); a != "userData" {
		return nil, clientError("InvalidParameterValue", "The simulator knows only the userData attribute, not %q", a)
	}
	resp := instanceAttributeResponse{InstanceID: id}
	if len(in.UserData) > 0 {
		resp.UserData.Value = base64.StdEncoding.EncodeToString(in.UserData)
	}
	return resp, nil
}
