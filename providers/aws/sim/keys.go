package sim

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"
)

// KeyPair is an imported SSH key.
type KeyPair struct {
	Name, ID  string
	PublicKey []byte
	Tags      map[string]string
	Created   time.Time
}

// SecurityGroup is a security group (the simulator does not model rules).
type SecurityGroup struct {
	ID, Name, Description, VpcID string
	Tags                         map[string]string
	Ingress                      []IngressRule
}

// KeyPairs returns copies of the imported key pairs, by name.
func (s *Server) KeyPairs() []KeyPair {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []KeyPair
	for _, k := range s.sortedKeyPairs() {
		out = append(out, *k)
	}
	return out
}

// AddKeyPair imports a key pair as if at created, for tests.
func (s *Server) AddKeyPair(name string, tags map[string]string, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyPairs[name] = &KeyPair{Name: name, ID: s.id("key"), PublicKey: []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0= " + name), Tags: tags, Created: created}
}

type keyPairResponse struct {
	KeyName        string    `xml:"keyName"`
	KeyFingerprint string    `xml:"keyFingerprint"`
	KeyPairID      string    `xml:"keyPairId"`
	CreateTime     string    `xml:"createTime"`
	Tags           []tagItem `xml:"tagSet>item"`
}

func (k *KeyPair) xml() keyPairResponse {
	sum := md5.Sum(k.PublicKey)
	fp := make([]string, len(sum))
	for i, b := range sum {
		fp[i] = fmt.Sprintf("%02x", b)
	}
	return keyPairResponse{k.Name, strings.Join(fp, ":"), k.ID, k.Created.UTC().Format(time.RFC3339), tagSet(k.Tags)}
}

func (s *Server) importKeyPair(q query) (any, *apiError) {
	name := q.get("KeyName")
	if name == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameter KeyName")
	}
	if _, ok := s.keyPairs[name]; ok {
		return nil, clientError("InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name)
	}
	material, err := base64.StdEncoding.DecodeString(q.get("PublicKeyMaterial"))
	if err != nil || !strings.HasPrefix(string(material), "ssh-") {
		return nil, clientError("InvalidKey.Format", "Key is not in valid OpenSSH public key format")
	}
	k := &KeyPair{Name: name, ID: s.id("key"), PublicKey: material, Tags: q.tags("key-pair"), Created: s.opts.Now()}
	s.keyPairs[name] = k
	return k.xml(), nil
}

type returnResponse struct {
	Return bool `xml:"return"`
}

// deleteKeyPair succeeds for a missing key, as EC2 does.
func (s *Server) deleteKeyPair(q query) (any, *apiError) {
	delete(s.keyPairs, q.get("KeyName"))
	return returnResponse{true}, nil
}

type describeKeyPairsResponse struct {
	Keys []keyPairResponse `xml:"keySet>item"`
}

func (s *Server) describeKeyPairs(q query) (any, *apiError) {
	names := q.list("KeyName")
	for _, n := range names {
		if _, ok := s.keyPairs[n]; !ok {
			return nil, clientError("InvalidKeyPair.NotFound", "The key pair '%s' does not exist", n)
		}
	}
	filters := q.filters()
	var resp describeKeyPairsResponse
	for _, k := range s.sortedKeyPairs() {
		if (len(names) == 0 || contains(names, k.Name)) && tagMatch(filters, k.Tags) {
			resp.Keys = append(resp.Keys, k.xml())
		}
	}
	return resp, nil
}

// sortedKeyPairs is for callers holding s.mu.
func (s *Server) sortedKeyPairs() []*KeyPair {
	out := make([]*KeyPair, 0, len(s.keyPairs))
	for _, k := range s.keyPairs {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type groupXML struct {
	GroupID     string    `xml:"groupId"`
	GroupName   string    `xml:"groupName"`
	Description string    `xml:"groupDescription"`
	VpcID       string    `xml:"vpcId,omitempty"`
	OwnerID     string    `xml:"ownerId"`
	Tags        []tagItem `xml:"tagSet>item"`
}

type createSecurityGroupResponse struct {
	GroupID string    `xml:"groupId"`
	Tags    []tagItem `xml:"tagSet>item"`
}

func (s *Server) createSecurityGroup(q query) (any, *apiError) {
	name := q.get("GroupName")
	if name == "" || q.get("GroupDescription") == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameters GroupName and GroupDescription")
	}
	for _, g := range s.groups {
		if g.Name == name && g.VpcID == q.get("VpcId") {
			return nil, clientError("InvalidGroup.Duplicate", "The security group '%s' already exists", name)
		}
	}
	g := &SecurityGroup{ID: s.id("sg"), Name: name, Description: q.get("GroupDescription"), VpcID: q.get("VpcId"), Tags: q.tags("security-group")}
	s.groups[g.ID] = g
	return createSecurityGroupResponse{g.ID, tagSet(g.Tags)}, nil
}

type describeSecurityGroupsResponse struct {
	Groups []groupXML `xml:"securityGroupInfo>item"`
}

func (s *Server) describeSecurityGroups(q query) (any, *apiError) {
	names, ids := q.list("GroupName"), q.list("GroupId")
	filters := q.filters()
	var resp describeSecurityGroupsResponse
	found := map[string]bool{}
	keys := make([]string, 0, len(s.groups))
	for id := range s.groups {
		keys = append(keys, id)
	}
	sort.Strings(keys)
	for _, id := range keys {
		g := s.groups[id]
		if len(names) > 0 && !contains(names, g.Name) || len(ids) > 0 && !contains(ids, g.ID) {
			continue
		}
		if v, ok := filters["group-name"]; ok && !contains(v, g.Name) {
			continue
		}
		if v, ok := filters["vpc-id"]; ok && !contains(v, g.VpcID) {
			continue
		}
		if !tagMatch(filters, g.Tags) {
			continue
		}
		found[g.Name], found[g.ID] = true, true
		resp.Groups = append(resp.Groups, groupXML{g.ID, g.Name, g.Description, g.VpcID, "123456789012", tagSet(g.Tags)})
	}
	for _, n := range append(names, ids...) {
		if !found[n] {
			return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", n)
		}
	}
	return resp, nil
}

// AddSecurityGroup creates a security group as an account set up by hand
// would have it, and returns its ID.
func (s *Server) AddSecurityGroup(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &SecurityGroup{ID: s.id("sg"), Name: name, Description: name}
	s.groups[g.ID] = g
	return g.ID
}
