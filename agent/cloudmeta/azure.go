package cloudmeta

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Azure is Azure's Instance Metadata Service, for keys, and its
// WireServer, which the guest tells it is provisioned (Azure holds a
// machine's creation until then). Keys are the machine's osProfile
// keys, which Azure gives its admin user.
type Azure struct {
	Endpoint   string // http://169.254.169.254
	WireServer string // http://168.63.129.16
	Client     *http.Client
}

// imdsVersion is the IMDS api-version asked for.
const imdsVersion = "2021-02-01"

// SSHKeys reads compute/publicKeys.
func (a *Azure) SSHKeys(ctx context.Context, _ string) ([]string, error) {
	url := a.Endpoint + "/metadata/instance/compute/publicKeys?api-version=" + imdsVersion
	body, ok, err := get(ctx, a.Client, http.MethodGet, url, map[string]string{"Metadata": "true"})
	if err != nil || !ok {
		return nil, err
	}
	var list []struct {
		KeyData string `json:"keyData"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		return nil, &PermanentError{fmt.Errorf("%s: %w", url, err)}
	}
	var keys []string
	for _, k := range list {
		if k := strings.TrimSpace(k.KeyData); k != "" {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// wireServerVersion is the WireServer protocol version spoken.
const wireServerVersion = "2012-11-30"

// ReportReady tells the WireServer the machine is provisioned: it reads
// the goal state's incarnation, container and role instance, and posts a
// health report saying Ready for them.
func (a *Azure) ReportReady(ctx context.Context) error {
	h := map[string]string{"x-ms-version": wireServerVersion}
	body, ok, err := get(ctx, a.Client, http.MethodGet, a.WireServer+"/machine/?comp=goalstate", h)
	if err != nil {
		return fmt.Errorf("goal state: %w", err)
	}
	if !ok {
		return &PermanentError{fmt.Errorf("goal state: the WireServer has none (404)")}
	}
	var goal struct {
		Incarnation string `xml:"Incarnation"`
		ContainerID string `xml:"Container>ContainerId"`
		InstanceID  string `xml:"Container>RoleInstanceList>RoleInstance>InstanceId"`
	}
	if err := xml.Unmarshal([]byte(body), &goal); err != nil || goal.ContainerID == "" || goal.InstanceID == "" {
		return &PermanentError{fmt.Errorf("goal state: not one this agent reads (%v): %.200s", err, body)}
	}
	var report bytes.Buffer
	report.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	report.WriteString(`<Health xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><GoalStateIncarnation>`)
	xml.EscapeText(&report, []byte(goal.Incarnation))
	report.WriteString(`</GoalStateIncarnation><Container><ContainerId>`)
	xml.EscapeText(&report, []byte(goal.ContainerID))
	report.WriteString(`</ContainerId><RoleInstanceList><Role><InstanceId>`)
	xml.EscapeText(&report, []byte(goal.InstanceID))
	report.WriteString(`</InstanceId><Health><State>Ready</State></Health></Role></RoleInstanceList></Container></Health>`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.WireServer+"/machine/?comp=health", &report)
	if err != nil {
		return &PermanentError{err}
	}
	req.Header.Set("x-ms-version", wireServerVersion)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	resp, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("health report: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode >= 500:
		return fmt.Errorf("health report: %s", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return &PermanentError{fmt.Errorf("health report: %s: %s", resp.Status, strings.TrimSpace(string(msg)))}
	}
	return nil
}
