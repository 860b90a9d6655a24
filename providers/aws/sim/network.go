package sim

import (
	"sort"
	"strconv"
)

// Network is a VPC with what strata makes in it: internet gateways, route
// tables (with their routes and subnets) and subnets.
type Network struct {
	VpcID, CIDR string
	Tags        map[string]string
}

// Subnet is a subnet of a VPC.
type Subnet struct {
	ID, VpcID, CIDR, Zone string
	MapPublicIP           bool
	Tags                  map[string]string
}

// Gateway is an internet gateway, attached to VpcID or not.
type Gateway struct {
	ID, VpcID string
	Tags      map[string]string
}

// RouteTable is a route table: destination CIDR → gateway, and the
// subnets it is associated with.
type RouteTable struct {
	ID, VpcID string
	Routes    map[string]string
	Subnets   []string
	Tags      map[string]string

	assocs map[string]string // association ID → subnet
}

// IngressRule is one rule a security group allows in.
type IngressRule struct {
	Protocol, CIDR, SourceGroup string
	FromPort, ToPort            string
}

type vpcXML struct {
	VpcID     string    `xml:"vpcId"`
	CIDR      string    `xml:"cidrBlock"`
	State     string    `xml:"state"`
	IsDefault bool      `xml:"isDefault"`
	Tags      []tagItem `xml:"tagSet>item"`
}

func (s *Server) createVpc(q query) (any, *apiError) {
	cidr := q.get("CidrBlock")
	if cidr == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameter CidrBlock")
	}
	n := &Network{VpcID: s.id("vpc"), CIDR: cidr, Tags: q.tags("vpc")}
	s.vpcs[n.VpcID] = n
	return struct {
		Vpc vpcXML `xml:"vpc"`
	}{vpcXML{n.VpcID, n.CIDR, "available", false, tagSet(n.Tags)}}, nil
}

type subnetXML struct {
	SubnetID    string    `xml:"subnetId"`
	VpcID       string    `xml:"vpcId"`
	CIDR        string    `xml:"cidrBlock"`
	Zone        string    `xml:"availabilityZone"`
	State       string    `xml:"state"`
	MapPublicIP bool      `xml:"mapPublicIpOnLaunch"`
	Tags        []tagItem `xml:"tagSet>item"`
}

func (sn *Subnet) xml() subnetXML {
	return subnetXML{sn.ID, sn.VpcID, sn.CIDR, sn.Zone, "available", sn.MapPublicIP, tagSet(sn.Tags)}
}

func (s *Server) createSubnet(q query) (any, *apiError) {
	vpc := q.get("VpcId")
	if _, ok := s.vpcs[vpc]; !ok {
		return nil, clientError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpc)
	}
	sn := &Subnet{ID: s.id("subnet"), VpcID: vpc, CIDR: q.get("CidrBlock"), Zone: orDefault(q.get("AvailabilityZone"), s.region+"a"), Tags: q.tags("subnet")}
	s.subnets[sn.ID] = sn
	return struct {
		Subnet subnetXML `xml:"subnet"`
	}{sn.xml()}, nil
}

func (s *Server) modifySubnetAttribute(q query) (any, *apiError) {
	sn, ok := s.subnets[q.get("SubnetId")]
	if !ok {
		return nil, clientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", q.get("SubnetId"))
	}
	if v := q.get("MapPublicIpOnLaunch.Value"); v != "" {
		sn.MapPublicIP = v == "true"
	}
	return returnResponse{true}, nil
}

func (s *Server) describeSubnets(q query) (any, *apiError) {
	filters := q.filters()
	ids := make([]string, 0, len(s.subnets))
	for id := range s.subnets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var resp struct {
		Subnets []subnetXML `xml:"subnetSet>item"`
	}
	for _, id := range ids {
		sn := s.subnets[id]
		if v, ok := filters["vpc-id"]; ok && !contains(v, sn.VpcID) {
			continue
		}
		if !tagMatch(filters, sn.Tags) {
			continue
		}
		resp.Subnets = append(resp.Subnets, sn.xml())
	}
	return resp, nil
}

func (s *Server) createInternetGateway(q query) (any, *apiError) {
	g := &Gateway{ID: s.id("igw"), Tags: q.tags("internet-gateway")}
	s.gateways[g.ID] = g
	return struct {
		ID   string    `xml:"internetGateway>internetGatewayId"`
		Tags []tagItem `xml:"internetGateway>tagSet>item"`
	}{g.ID, tagSet(g.Tags)}, nil
}

func (s *Server) attachInternetGateway(q query) (any, *apiError) {
	g, ok := s.gateways[q.get("InternetGatewayId")]
	if !ok {
		return nil, clientError("InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist", q.get("InternetGatewayId"))
	}
	if _, ok := s.vpcs[q.get("VpcId")]; !ok {
		return nil, clientError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", q.get("VpcId"))
	}
	if g.VpcID != "" {
		return nil, clientError("Resource.AlreadyAssociated", "resource %s is already attached to network %s", g.ID, g.VpcID)
	}
	g.VpcID = q.get("VpcId")
	return returnResponse{true}, nil
}

func (s *Server) createRouteTable(q query) (any, *apiError) {
	vpc := q.get("VpcId")
	if _, ok := s.vpcs[vpc]; !ok {
		return nil, clientError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpc)
	}
	rt := &RouteTable{ID: s.id("rtb"), VpcID: vpc, Routes: map[string]string{}, Tags: q.tags("route-table")}
	s.routeTables[rt.ID] = rt
	return struct {
		ID    string    `xml:"routeTable>routeTableId"`
		VpcID string    `xml:"routeTable>vpcId"`
		Tags  []tagItem `xml:"routeTable>tagSet>item"`
	}{rt.ID, vpc, tagSet(rt.Tags)}, nil
}

func (s *Server) createRoute(q query) (any, *apiError) {
	rt, ok := s.routeTables[q.get("RouteTableId")]
	if !ok {
		return nil, clientError("InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist", q.get("RouteTableId"))
	}
	gw := q.get("GatewayId")
	if _, ok := s.gateways[gw]; !ok {
		return nil, clientError("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", gw)
	}
	rt.Routes[q.get("DestinationCidrBlock")] = gw
	return returnResponse{true}, nil
}

func (s *Server) associateRouteTable(q query) (any, *apiError) {
	rt, ok := s.routeTables[q.get("RouteTableId")]
	if !ok {
		return nil, clientError("InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist", q.get("RouteTableId"))
	}
	if _, ok := s.subnets[q.get("SubnetId")]; !ok {
		return nil, clientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", q.get("SubnetId"))
	}
	rt.Subnets = append(rt.Subnets, q.get("SubnetId"))
	id := s.id("rtbassoc")
	if rt.assocs == nil {
		rt.assocs = map[string]string{}
	}
	rt.assocs[id] = q.get("SubnetId")
	return struct {
		ID    string `xml:"associationId"`
		State string `xml:"associationState>state"`
	}{id, "associated"}, nil
}

func (s *Server) authorizeSecurityGroupIngress(q query) (any, *apiError) {
	g, ok := s.groups[q.get("GroupId")]
	if !ok {
		return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", q.get("GroupId"))
	}
	for i := 1; ; i++ {
		p := "IpPermissions." + strconv.Itoa(i)
		proto := q.get(p + ".IpProtocol")
		if proto == "" {
			break
		}
		rule := IngressRule{Protocol: proto, FromPort: q.get(p + ".FromPort"), ToPort: q.get(p + ".ToPort")}
		if c := q.get(p + ".IpRanges.1.CidrIp"); c != "" {
			rule.CIDR = c
		}
		if sg := q.get(p + ".Groups.1.GroupId"); sg != "" {
			rule.SourceGroup = sg
		}
		g.Ingress = append(g.Ingress, rule)
	}
	return returnResponse{true}, nil
}

// Network returns the VPC, its subnets, gateways and route tables as a
// test inspects them.
func (s *Server) Networks() (vpcs []Network, subnets []Subnet, gateways []Gateway, tables []RouteTable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.vpcs {
		vpcs = append(vpcs, *v)
	}
	for _, v := range s.subnets {
		subnets = append(subnets, *v)
	}
	for _, v := range s.gateways {
		gateways = append(gateways, *v)
	}
	for _, v := range s.routeTables {
		tables = append(tables, *v)
	}
	return vpcs, subnets, gateways, tables
}

// SecurityGroups returns copies of the security groups, by ID.
func (s *Server) SecurityGroups() []SecurityGroup {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.groups))
	for id := range s.groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]SecurityGroup, 0, len(ids))
	for _, id := range ids {
		out = append(out, *s.groups[id])
	}
	return out
}
