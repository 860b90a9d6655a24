package vcsim

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/vmware/govmomi/vim25/types"
)

// faultProxy stands in front of vcsim and misbehaves by the shared fault
// engine's rules, answering as vSphere does: a throttled call is the
// reverse proxy's 503, a server error a SOAP SystemError fault, an Error
// rule a SOAP fault of the rule's kind (NoPermission by default), a lost
// answer a 503 after vcsim acted. Calls are the SOAP methods
// ("CloneVM_Task", "PowerOnVM_Task", "RetrievePropertiesEx"); what is not
// SOAP (datastore files) passes untouched.
type faultProxy struct {
	faults *fault.Engine
	rp     *httputil.ReverseProxy
	// tasks runs vcsim's tasks one at a time: a *_Task call holds it
	// until the task it started has finished (waitTask). vcsim's tasks
	// share its datastores' state without locks (two VMs destroyed at
	// once race in its Datastore.resolve, seen under -race), while a
	// vCenter runs them side by side; strata's calls stay concurrent,
	// vcsim's work behind them does not.
	tasks    sync.Mutex
	waitTask func(ctx context.Context, ref types.ManagedObjectReference)
	waited   atomic.Int64 // tasks waited for, for tests
}

// taskRef is the task a *_Task call's answer names.
var taskRef = regexp.MustCompile(`<returnval type="Task">([^<]+)</returnval>`)

// taskWait bounds waiting for a task before the next may start.
const taskWait = time.Minute

func newFaultProxy(target *url.URL, cert *x509.Certificate, faults *fault.Engine) *faultProxy {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	// A client that gives up mid-call is no news (the interrupt tests do
	// it on purpose).
	rp.ErrorLog = log.New(io.Discard, "", 0)
	return &faultProxy{faults: faults, rp: rp}
}

// serve starts the proxy with vcsim's certificate, so that its CA file
// checks the proxy too.
func (p *faultProxy) serve(listen string, certs []tls.Certificate) (*httptest.Server, error) {
	ts := httptest.NewUnstartedServer(p)
	if listen != "" {
		ts.Listener.Close()
		ln, err := netListen(listen)
		if err != nil {
			return nil, err
		}
		ts.Listener = ln
	}
	ts.TLS = &tls.Config{Certificates: certs}
	ts.StartTLS()
	return ts, nil
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/sdk") {
		p.rp.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	call := soapMethod(body)
	if call == "CreateImportSpec" {
		body = dropOptionalItems(body)
		r.ContentLength = int64(len(body))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	d := p.faults.Decide(call, "")
	defer d.Done()
	d.Wait(r.Context())
	f := d.Fault
	forward := func(w http.ResponseWriter) {
		if !strings.HasSuffix(call, "_Task") || p.waitTask == nil {
			p.rp.ServeHTTP(w, r)
			return
		}
		p.tasks.Lock()
		defer p.tasks.Unlock()
		rec := &recorder{ResponseWriter: w}
		p.rp.ServeHTTP(rec, r)
		if m := taskRef.FindSubmatch(rec.body.Bytes()); m != nil {
			ctx, cancel := context.WithTimeout(context.Background(), taskWait)
			defer cancel()
			p.waitTask(ctx, types.ManagedObjectReference{Type: "Task", Value: string(m[1])})
			p.waited.Add(1)
		}
	}
	if f == nil || f.Effect == fault.Delay {
		forward(w)
		return
	}
	switch f.Effect {
	case fault.Throttle:
		unavailable(w)
	case fault.ServerError:
		soapFault(w, "SystemError", "<reason>injected server error</reason>", "A general system error occurred: injected server error")
	case fault.LoseAnswer:
		forward(discard{w.Header()})
		unavailable(w)
	case fault.Error:
		kind := f.Code
		if kind == "" {
			kind = "NoPermission"
		}
		msg := f.Message
		if msg == "" {
			msg = "injected failure of " + call
		}
		detail := ""
		if kind == "NoPermission" {
			detail = `<object type="Folder">group-d1</object><privilegeId>System.Read</privilegeId>`
		}
		soapFault(w, kind, detail, msg)
	}
}

// recorder keeps a copy of the answer it passes on.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// discard takes an answer nobody gets.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h.Clone() }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

func unavailable(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, "<html><body><h1>503 Service Unavailable (Failed to connect to endpoint)</h1></body></html>")
}

func soapFault(w http.ResponseWriter, kind, detail, msg string) {
	w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail><%sFault xmlns="urn:vim25" xsi:type="%s">%s</%sFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		html.EscapeString(msg), kind, kind, detail, kind)
}

// optionalSerialPort is an OVF descriptor's optional serial port item, as
// it appears escaped in a CreateImportSpec call.
var optionalSerialPort = regexp.MustCompile(`(?s)&lt;Item ovf:required=(?:&#34;|&quot;)false(?:&#34;|&quot;)&gt;.*?&lt;/Item&gt;`)

// dropOptionalItems removes the optional serial ports of an OVF
// descriptor before vcsim sees it: vCenter skips an optional item it
// cannot deploy, as the OVF standard allows, but vcsim's OVF manager
// refuses the whole descriptor ("unsupported resource type: 21").
func dropOptionalItems(body []byte) []byte {
	return optionalSerialPort.ReplaceAllFunc(body, func(item []byte) []byte {
		if bytes.Contains(item, []byte("ResourceType&gt;21&lt;")) {
			return nil
		}
		return item
	})
}

// soapMethod is the name of the first element in a SOAP envelope's body.
func soapMethod(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			if inBody {
				return se.Name.Local
			}
			inBody = se.Name.Local == "Body"
		}
	}
}
