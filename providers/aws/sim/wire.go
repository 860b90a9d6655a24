package sim

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// query is an EC2 request's form, with EC2's numbered-list conventions.
type query url.Values

func (q query) get(key string) string { return url.Values(q).Get(key) }

// list gathers prefix.1, prefix.2, ... (EC2 numbers list members from 1).
func (q query) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := q[prefix+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// filters gathers Filter.N.Name and Filter.N.Value.M.
func (q query) filters() map[string][]string {
	f := map[string][]string{}
	for i := 1; ; i++ {
		name := q.get("Filter." + strconv.Itoa(i) + ".Name")
		if name == "" {
			return f
		}
		f[name] = q.list("Filter." + strconv.Itoa(i) + ".Value")
	}
}

// tags gathers TagSpecification.N.Tag.M.Key/Value for resourceType.
func (q query) tags(resourceType string) map[string]string {
	tags := map[string]string{}
	for i := 1; ; i++ {
		p := "TagSpecification." + strconv.Itoa(i)
		rt := q.get(p + ".ResourceType")
		if rt == "" {
			return tags
		}
		if rt != resourceType {
			continue
		}
		for j := 1; ; j++ {
			k := q.get(p + ".Tag." + strconv.Itoa(j) + ".Key")
			if k == "" {
				break
			}
			tags[k] = q.get(p + ".Tag." + strconv.Itoa(j) + ".Value")
		}
	}
}

// tagMatch applies tag:KEY filters (and tag-key) to a resource's tags.
func tagMatch(filters map[string][]string, tags map[string]string) bool {
	for name, values := range filters {
		switch {
		case strings.HasPrefix(name, "tag:"):
			if !contains(values, tags[strings.TrimPrefix(name, "tag:")]) {
				return false
			}
		case name == "tag-key":
			found := false
			for _, k := range values {
				if _, ok := tags[k]; ok {
					found = true
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

type tagItem struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func tagSet(tags map[string]string) []tagItem {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]tagItem, 0, len(keys))
	for _, k := range keys {
		out = append(out, tagItem{k, tags[k]})
	}
	return out
}

const xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/"

// writeXML answers with <ActionResponse> holding resp's fields.
func writeXML(w http.ResponseWriter, action string, resp any) {
	var buf strings.Builder
	err := xml.NewEncoder(&buf).EncodeElement(resp, xml.StartElement{Name: xml.Name{Local: "r"}})
	body := buf.String()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="%s"><requestId>%s</requestId>`, action, xmlns, requestID)
	// resp marshals as <r>...</r>; its children are the answer's fields.
	inner := strings.TrimSuffix(strings.TrimPrefix(body, "<r>"), "</r>")
	fmt.Fprintf(w, "%s</%sResponse>", inner, action)
}

const requestID = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(msg))
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`, code, b.String(), requestID)
}
