package sim

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// IAM is the part of IAM `ore aws initialize` uses: roles and their
// inline policies, over IAM's query protocol (whose answers, unlike
// EC2's, wrap their fields in a …Result element).
type IAM struct {
	mu    sync.Mutex
	roles map[string]*Role
}

// Role is an IAM role: its trust policy and inline policies by name.
type Role struct {
	Name, ARN, TrustPolicy string
	Policies               map[string]string
	Created                time.Time
}

// NewIAM returns an account without roles.
func NewIAM() *IAM { return &IAM{roles: map[string]*Role{}} }

// Roles returns copies of the roles, by name.
func (i *IAM) Roles() []Role {
	i.mu.Lock()
	defer i.mu.Unlock()
	var out []Role
	for _, n := range slices.Sorted(maps.Keys(i.roles)) {
		r := *i.roles[n]
		r.Policies = maps.Clone(r.Policies)
		out = append(out, r)
	}
	return out
}

type roleXML struct {
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	Path                     string `xml:"Path"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
}

func (r *Role) xml() roleXML {
	return roleXML{r.Name, "AROA" + strings.ToUpper(r.Name), r.ARN, "/", r.Created.UTC().Format(time.RFC3339), url.QueryEscape(r.TrustPolicy)}
}

func (i *IAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		iamError(w, http.StatusBadRequest, "MalformedInput", err.Error())
		return
	}
	f := r.PostForm
	i.mu.Lock()
	defer i.mu.Unlock()
	name := f.Get("RoleName")
	role := i.roles[name]
	noSuchRole := func() {
		iamError(w, http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The role with name %s cannot be found.", name))
	}
	switch action := f.Get("Action"); action {
	case "CreateRole":
		if role != nil {
			iamError(w, http.StatusConflict, "EntityAlreadyExists", fmt.Sprintf("Role with name %s already exists.", name))
			return
		}
		role = &Role{Name: name, ARN: "arn:aws:iam::123456789012:role/" + name, TrustPolicy: f.Get("AssumeRolePolicyDocument"), Policies: map[string]string{}, Created: time.Now()}
		i.roles[name] = role
		iamResult(w, action, struct {
			Role roleXML `xml:"Role"`
		}{role.xml()})
	case "GetRole":
		if role == nil {
			noSuchRole()
			return
		}
		iamResult(w, action, struct {
			Role roleXML `xml:"Role"`
		}{role.xml()})
	case "PutRolePolicy":
		if role == nil {
			noSuchRole()
			return
		}
		role.Policies[f.Get("PolicyName")] = f.Get("PolicyDocument")
		iamResult(w, action, struct{}{})
	default:
		iamError(w, http.StatusBadRequest, "InvalidAction", "The action "+action+" is not valid for this web service.")
	}
}

const iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"

func iamResult(w http.ResponseWriter, action string, result any) {
	var b strings.Builder
	if err := xml.NewEncoder(&b).EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		iamError(w, http.StatusInternalServerError, "ServiceFailure", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`,
		action, iamNS, b.String(), requestID, action)
}

func iamError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(msg))
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, iamNS, code, b.String(), requestID)
}
