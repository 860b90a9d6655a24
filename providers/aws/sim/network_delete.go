package sim

import (
	"maps"
	"slices"
)

// What GC needs to take a network apart. EC2 refuses to delete anything
// something else still uses (DependencyViolation); so does the simulator.

func dependencyViolation(what, id, user string) *apiError {
	return clientError("DependencyViolation", "The %s '%s' has dependencies and cannot be deleted (%s).", what, id, user)
}

// vpcOf is the VPC an instance runs in ("" for none).
func (s *Server) vpcOf(in *Instance) string {
	if sn, ok := s.subnets[in.SubnetID]; ok {
		return sn.VpcID
	}
	return ""
}

// live reports whether an instance still holds its network.
func live(in *Instance) bool { return in.State != "terminated" }

func (s *Server) describeVpcs(q query) (any, *apiError) {
	ids, filters := q.list("VpcId"), q.filters()
	var resp struct {
		Vpcs []vpcXML `xml:"vpcSet>item"`
	}
	for _, id := range slices.Sorted(maps.Keys(s.vpcs)) {
		v := s.vpcs[id]
		if len(ids) > 0 && !contains(ids, id) || !tagMatch(filters, v.Tags) {
			continue
		}
		resp.Vpcs = append(resp.Vpcs, vpcXML{v.VpcID, v.CIDR, "available", false, tagSet(v.Tags)})
	}
	for _, id := range ids {
		if s.vpcs[id] == nil {
			return nil, clientError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
		}
	}
	return resp, nil
}

func (s *Server) deleteVpc(q query) (any, *apiError) {
	id := q.get("VpcId")
	if s.vpcs[id] == nil {
		return nil, clientError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
	}
	for _, sn := range s.subnets {
		if sn.VpcID == id {
			return nil, dependencyViolation("vpc", id, "subnet "+sn.ID)
		}
	}
	for _, g := range s.gateways {
		if g.VpcID == id {
			return nil, dependencyViolation("vpc", id, "internet gateway "+g.ID)
		}
	}
	for _, rt := range s.routeTables {
		if rt.VpcID == id {
			return nil, dependencyViolation("vpc", id, "route table "+rt.ID)
		}
	}
	for _, g := range s.groups {
		if g.VpcID == id {
			return nil, dependencyViolation("vpc", id, "security group "+g.ID)
		}
	}
	delete(s.vpcs, id)
	return returnResponse{true}, nil
}

func (s *Server) deleteSubnet(q query) (any, *apiError) {
	id := q.get("SubnetId")
	if s.subnets[id] == nil {
		return nil, clientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
	}
	for _, in := range s.instances {
		if in.SubnetID == id && live(in) {
			return nil, dependencyViolation("subnet", id, "instance "+in.ID)
		}
	}
	for _, rt := range s.routeTables {
		if slices.Contains(rt.Subnets, id) {
			return nil, dependencyViolation("subnet", id, "route table association of "+rt.ID)
		}
	}
	delete(s.subnets, id)
	return returnResponse{true}, nil
}

type routeTableXML struct {
	ID           string     `xml:"routeTableId"`
	VpcID        string     `xml:"vpcId"`
	Associations []assocXML `xml:"associationSet>item"`
	Tags         []tagItem  `xml:"tagSet>item"`
}

type assocXML struct {
	ID       string `xml:"routeTableAssociationId"`
	Table    string `xml:"routeTableId"`
	SubnetID string `xml:"subnetId"`
	Main     bool   `xml:"main"`
}

func (s *Server) describeRouteTables(q query) (any, *apiError) {
	filters := q.filters()
	var resp struct {
		Tables []routeTableXML `xml:"routeTableSet>item"`
	}
	for _, id := range slices.Sorted(maps.Keys(s.routeTables)) {
		rt := s.routeTables[id]
		if v, ok := filters["vpc-id"]; ok && !contains(v, rt.VpcID) || !tagMatch(filters, rt.Tags) {
			continue
		}
		x := routeTableXML{ID: rt.ID, VpcID: rt.VpcID, Tags: tagSet(rt.Tags)}
		for _, a := range slices.Sorted(maps.Keys(rt.assocs)) {
			x.Associations = append(x.Associations, assocXML{a, rt.ID, rt.assocs[a], false})
		}
		resp.Tables = append(resp.Tables, x)
	}
	return resp, nil
}

func (s *Server) disassociateRouteTable(q query) (any, *apiError) {
	id := q.get("AssociationId")
	for _, rt := range s.routeTables {
		if sn, ok := rt.assocs[id]; ok {
			delete(rt.assocs, id)
			rt.Subnets = slices.DeleteFunc(rt.Subnets, func(x string) bool { return x == sn })
			return returnResponse{true}, nil
		}
	}
	return nil, clientError("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", id)
}

func (s *Server) deleteRouteTable(q query) (any, *apiError) {
	id := q.get("RouteTableId")
	rt := s.routeTables[id]
	if rt == nil {
		return nil, clientError("InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist", id)
	}
	if len(rt.Subnets) > 0 {
		return nil, dependencyViolation("routeTable", id, "associated with subnet "+rt.Subnets[0])
	}
	delete(s.routeTables, id)
	return returnResponse{true}, nil
}

func (s *Server) describeInternetGateways(q query) (any, *apiError) {
	filters := q.filters()
	type gatewayXML struct {
		ID          string `xml:"internetGatewayId"`
		Attachments []struct {
			VpcID string `xml:"vpcId"`
			State string `xml:"state"`
		} `xml:"attachmentSet>item"`
		Tags []tagItem `xml:"tagSet>item"`
	}
	var resp struct {
		Gateways []gatewayXML `xml:"internetGatewaySet>item"`
	}
	for _, id := range slices.Sorted(maps.Keys(s.gateways)) {
		g := s.gateways[id]
		if v, ok := filters["attachment.vpc-id"]; ok && !contains(v, g.VpcID) || !tagMatch(filters, g.Tags) {
			continue
		}
		x := gatewayXML{ID: g.ID, Tags: tagSet(g.Tags)}
		if g.VpcID != "" {
			x.Attachments = append(x.Attachments, struct {
				VpcID string `xml:"vpcId"`
				State string `xml:"state"`
			}{g.VpcID, "available"})
		}
		resp.Gateways = append(resp.Gateways, x)
	}
	return resp, nil
}

func (s *Server) detachInternetGateway(q query) (any, *apiError) {
	g := s.gateways[q.get("InternetGatewayId")]
	if g == nil {
		return nil, clientError("InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist", q.get("InternetGatewayId"))
	}
	if g.VpcID != q.get("VpcId") {
		return nil, clientError("Gateway.NotAttached", "resource %s is not attached to network %s", g.ID, q.get("VpcId"))
	}
	for _, in := range s.instances {
		if live(in) && in.PublicIP != "" && s.vpcOf(in) == g.VpcID {
			return nil, dependencyViolation("internetGateway", g.ID, "instance "+in.ID+" has a public address")
		}
	}
	g.VpcID = ""
	return returnResponse{true}, nil
}

func (s *Server) deleteInternetGateway(q query) (any, *apiError) {
	g := s.gateways[q.get("InternetGatewayId")]
	if g == nil {
		return nil, clientError("InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist", q.get("InternetGatewayId"))
	}
	if g.VpcID != "" {
		return nil, dependencyViolation("internetGateway", g.ID, "attached to "+g.VpcID)
	}
	delete(s.gateways, g.ID)
	return returnResponse{true}, nil
}

func (s *Server) deleteSecurityGroup(q query) (any, *apiError) {
	id := q.get("GroupId")
	g := s.groups[id]
	if g == nil {
		return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	}
	for _, in := range s.instances {
		if live(in) && slices.Contains(in.SecurityGroups, id) {
			return nil, dependencyViolation("security group", id, "instance "+in.ID)
		}
	}
	delete(s.groups, id)
	return returnResponse{true}, nil
}
